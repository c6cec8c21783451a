using Athomic.Scheduler.Dashboard.Metrics;
using Athomic.Scheduler.Dashboard.Pages;
using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Athomic.Scheduler.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>The pieces under the pages: encoding, paths, payload decoding, metric bins, options validation.</summary>
public sealed class RenderingTests
{
    [Fact]
    public void Every_hole_of_an_interpolated_string_is_encoded_and_only_markup_is_written_as_it_is()
    {
        var id = "<script>alert('x')</script>";
        var html = HtmlWriter.Of($"""<a href="/t?id={id}" title="{"a\"b"}">{id}</a>{new Markup("<b>ok</b>")}""");

        Assert.DoesNotContain("<script>", html.Value);
        Assert.Contains("&lt;script&gt;", html.Value);
        Assert.Contains("title=\"a&quot;b\"", html.Value);
        Assert.EndsWith("<b>ok</b>", html.Value);
    }

    [Theory]
    [InlineData("/scheduler", "/scheduler")]
    [InlineData("scheduler/", "/scheduler")]
    [InlineData("/ops/jobs", "/ops/jobs")]
    [InlineData("/", "")]
    public void Dashboard_paths_are_normalized(string path, string expected) => Assert.Equal(expected, DashboardPath.Normalize(path));

    [Theory]
    [InlineData("/scheduler/{id}")]
    [InlineData("/a b")]
    [InlineData("/a//b")]
    [InlineData("/a?x=1")]
    public void Paths_with_parameters_or_odd_characters_are_refused(string path) =>
        Assert.Throws<ArgumentException>(() => DashboardPath.Normalize(path));

    [Fact]
    public void A_payload_is_shown_as_json_and_bad_bytes_as_a_notice_with_their_head()
    {
        var payload = Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize(new Infrastructure.Invoice("Ada <Lovelace>", 12.5m, ["tea"]));
        var json = TaskDetailPage.Payload(Details(payload)).Value;
        Assert.Contains("Ada &lt;Lovelace&gt;", json);
        Assert.Contains("&quot;tea&quot;", json);

        var bad = TaskDetailPage.Payload(Details(new byte[] { 0x91, 0xC1 })).Value; // 0xC1 is never used by MessagePack
        Assert.Contains("cannot be shown as JSON. Not valid MessagePack at byte 1:", bad);
        Assert.Contains("91C1", bad);

        var trailing = TaskDetailPage.Payload(Details(new byte[] { 0x01, 0x02, 0x03 })).Value; // three values, not one
        Assert.Contains("2 bytes follow the first value, which ends at byte 1: a payload is one value.", trailing);

        var cut = TaskDetailPage.Payload(Details(new byte[] { 0xA5, 0x61 })).Value; // a string of 5 bytes with 1
        Assert.Contains("The payload is cut short: its 2 bytes end inside a value.", cut);

        var huge = TaskDetailPage.Payload(Details(new byte[TaskDetailPage.MaxDecodedPayload + 1])).Value;
        Assert.Contains("larger than", huge);

        static TaskDetails Details(byte[] payload) =>
            new(new TaskSummary("t1", ScheduledTaskState.Pending, "h", 0, payload.Length, 0), payload);
    }

    [Fact]
    public void Quantiles_come_from_log_bins_within_their_width()
    {
        var bins = new long[LogBins.Count];
        for (var i = 1; i <= 1000; i++)
        {
            bins[LogBins.Of(i / 1000.0)]++; // 1 ms … 1 s
        }

        Assert.InRange(LogBins.Quantile(bins, 0.5), 0.5 * 0.85, 0.5 * 1.15);
        Assert.InRange(LogBins.Quantile(bins, 0.95), 0.95 * 0.85, 0.95 * 1.15);
        Assert.True(double.IsNaN(LogBins.Quantile(new long[LogBins.Count], 0.5)));
        Assert.Equal(LogBins.Count - 1, LogBins.Of(1e9));
        Assert.Equal(0, LogBins.Of(-1));
    }

    [Fact]
    public void Bad_options_fail_with_a_message_naming_the_option()
    {
        var services = new ServiceCollection();
        services.AddAthomicScheduler().UseInMemoryStore();
        services.AddAthomicSchedulerDashboard(o =>
        {
            o.PageSize = 0;
            o.MetricsWindow = TimeSpan.FromSeconds(5);
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DashboardOptions>>().Value);
        Assert.Contains("PageSize", ex.Message);
        Assert.Contains("MetricsWindow", ex.Message);
    }
}
