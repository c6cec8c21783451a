using Athomic.Scheduler.Dashboard.Metrics;
using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// The overview: counts per partition (one small script per partition, whatever the number of tasks) and what the
/// scheduler in this process did over the metrics window (throughput, lateness, duration).
/// </summary>
internal static class OverviewPage
{
    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var services = request.Http.RequestServices;
        var counts = await services.GetRequiredService<ISchedulerOperations>().GetCountsAsync(request.Aborted);
        var metrics = services.GetRequiredService<DashboardMetrics>().Snapshot();

        var html = new HtmlWriter();
        long pending = counts.Sum(c => c.Pending), inFlight = counts.Sum(c => c.InFlight), dead = counts.Sum(c => c.DeadLetters), recurring = counts.Sum(c => c.Recurring);
        var lateness = counts.Count == 0 ? TimeSpan.Zero : counts.Max(c => c.Lateness);
        html.Append($"""
            <section class="cards" aria-label="Totals">
            {Card(request, "pending", "Pending", Format.Count(pending), "waiting for their due time")}
            {Card(request, "inflight", "In flight", Format.Count(inFlight), "claimed by a worker")}
            {Card(request, "dead", "Dead letters", Format.Count(dead), "will not run again on their own", dead > 0 ? "alert" : "")}
            {Card(request, "recurring", "Recurring", Format.Count(recurring), "schedules")}
            {Card(request, "pending", "Oldest due task", lateness > TimeSpan.Zero ? Format.Span(lateness) + " late" : "on time", "the first pending task against the store's clock", lateness > TimeSpan.FromMinutes(1) ? "alert" : "")}
            </section>
            """);

        html.Append($"""
            <h2>Partitions</h2>
            <table class="grid" id="partitions">
            <thead><tr><th>Partition</th><th class="num">Pending</th><th class="num">In flight</th><th class="num">Dead letters</th><th class="num">Recurring</th><th>Next due</th></tr></thead>
            <tbody>
            """);
        foreach (var c in counts)
        {
            html.Append($"""
                <tr><td>{c.Partition}</td><td class="num">{Format.Count(c.Pending)}</td><td class="num">{Format.Count(c.InFlight)}</td><td class="num">{Format.Count(c.DeadLetters)}</td><td class="num">{Format.Count(c.Recurring)}</td><td>{Layout.Time(request, c.NextDueAt)}</td></tr>
                """);
        }

        html.Append($"</tbody></table>");
        html.Append(Throughput(metrics));
        return Layout.Page(request, Section.Overview, "Overview", html.ToMarkup());
    }

    private static Markup Card(DashboardRequest request, string page, string label, string value, string hint, string kind = "") =>
        HtmlWriter.Of($"""<a class="card {kind}" href="{request.Url(page)}"><span class="label">{label}</span><span class="value">{value}</span><span class="hint">{hint}</span></a>""");

    private static Markup Throughput(MetricsSnapshot m)
    {
        var window = Format.Span(TimeSpan.FromSeconds(Math.Round(m.Window.TotalSeconds)));
        return HtmlWriter.Of($"""
            <h2>Throughput and lateness <span class="muted">· this process, last {window}</span></h2>
            <div class="metrics">
            <table class="grid" id="throughput">
            <thead><tr><th>Runs</th><th class="num">Count</th><th class="num">Rate</th></tr></thead>
            <tbody>
            {Row(m, "Completed", RunCounter.Completed)}
            {Row(m, "Failed", RunCounter.Failed)}
            {Row(m, "Retried", RunCounter.Retried)}
            {Row(m, "Dead-lettered", RunCounter.DeadLettered)}
            {Row(m, "Claimed", RunCounter.Claimed)}
            {Row(m, "Scheduled", RunCounter.Scheduled)}
            </tbody>
            </table>
            <table class="grid" id="lateness">
            <thead><tr><th>Per run</th><th class="num">p50</th><th class="num">p95</th><th class="num">max</th></tr></thead>
            <tbody>
            <tr><td>Lateness (start − due time)</td><td class="num">{Format.Seconds(m.LatenessP50)}</td><td class="num">{Format.Seconds(m.LatenessP95)}</td><td class="num">{Format.Seconds(m.LatenessMax)}</td></tr>
            <tr><td>Handler duration</td><td class="num">{Format.Seconds(m.DurationP50)}</td><td class="num">{Format.Seconds(m.DurationP95)}</td><td class="num">–</td></tr>
            </tbody>
            </table>
            <figure class="spark">
            {Sparkline(m)}
            <figcaption>Completed <span class="key ok"></span> and failed <span class="key bad"></span> runs per {Format.Span(m.SlotLength)}</figcaption>
            </figure>
            </div>
            """);
    }

    private static Markup Row(MetricsSnapshot m, string label, RunCounter counter) =>
        HtmlWriter.Of($"""<tr><td>{label}</td><td class="num">{Format.Count(m.Total(counter))}</td><td class="num">{Format.Rate(m.PerSecond(counter))}</td></tr>""");

    /// <summary>Bars of completed (and, stacked on them, failed) runs per slot, as inline SVG: no script, no image request.</summary>
    private static Markup Sparkline(MetricsSnapshot m)
    {
        const int width = 360, height = 64, gap = 2;
        var slots = m.CompletedPerSlot.Length;
        var barWidth = (width / slots) - gap;
        var peak = Math.Max(1, Enumerable.Range(0, slots).Max(i => m.CompletedPerSlot[i] + m.FailedPerSlot[i]));
        var svg = new HtmlWriter();
        svg.Append($"""<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="Runs per slot, peak {Format.Count(peak)}">""");
        for (var i = 0; i < slots; i++)
        {
            var x = i * (barWidth + gap);
            var ok = Scale(m.CompletedPerSlot[i], peak, height);
            var bad = Scale(m.FailedPerSlot[i], peak, height);
            svg.Append($"""<rect class="base" x="{x}" y="{height - 1}" width="{barWidth}" height="1"/>""");
            if (ok > 0)
            {
                svg.Append($"""<rect class="ok" x="{x}" y="{height - ok}" width="{barWidth}" height="{ok}"><title>{Format.Count(m.CompletedPerSlot[i])} completed</title></rect>""");
            }

            if (bad > 0)
            {
                svg.Append($"""<rect class="bad" x="{x}" y="{height - ok - bad}" width="{barWidth}" height="{bad}"><title>{Format.Count(m.FailedPerSlot[i])} failed</title></rect>""");
            }
        }

        svg.Append($"</svg>");
        return svg.ToMarkup();
    }

    private static int Scale(long value, long peak, int height) =>
        value == 0 ? 0 : Math.Max(1, (int)Math.Round(value * (height - 2) / (double)peak, MidpointRounding.AwayFromZero));
}
