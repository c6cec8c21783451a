using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// The handlers under flow control (<see cref="ISchedulerOperations.ListHandlersAsync"/>): each one's limits, slots in
/// use, starts in the rate window, waiting tasks and paused state, with pause and resume (through the confirmation
/// page), and a form to pause a handler by name before any host knows it.
/// </summary>
internal static class HandlersPage
{
    private const string Title = "Handlers";

    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        IReadOnlyList<HandlerFlowInfo> handlers;
        try
        {
            handlers = await request.Http.RequestServices.GetRequiredService<ISchedulerOperations>().ListHandlersAsync(request.Aborted);
        }
        catch (NotSupportedException ex)
        {
            return Layout.Page(request, Section.Handlers, Title, HtmlWriter.Of($"""<p class="notice">{ex.Message}</p>"""), StatusCodes.Status501NotImplemented);
        }

        var actions = !request.Options.ReadOnly;
        var html = new HtmlWriter();
        if (handlers.Count == 0)
        {
            html.Append($"""<p class="empty">No handler declares a concurrency or rate limit, and none is paused.</p>""");
        }
        else
        {
            html.Append($"""
                <table class="grid" id="handlers">
                <thead><tr><th>Handler</th><th>State</th><th class="num">Max concurrency</th><th class="num">Per key</th><th class="num">Rate limit</th><th class="num">Slots in use</th><th class="num">Starts in window</th><th class="num">Waiting</th><th class="num">Timeout</th><th class="num">Priority</th>{(actions ? new Markup("<th>Actions</th>") : Markup.Empty)}</tr></thead>
                <tbody>
                """);
            foreach (var h in handlers)
            {
                var state = h.IsPaused
                    ? new Markup("""<span class="state paused">paused</span>""")
                    : new Markup("""<span class="state">active</span>""");
                var rate = h.RateLimit > 0 && h.RateLimitWindow is { } window ? HtmlWriter.Of($"{Format.Count(h.RateLimit)} per {Format.Span(window)}") : None;
                var waiting = h.Waiting > 0
                    ? HtmlWriter.Of($"""<a href="{request.Url("pending", ("handler", h.Handler))}" title="Due tasks held back by a limit or the pause: the pending list shows them last">{Format.Count(h.Waiting)}</a>""")
                    : new Markup("0");
                html.Append($"""
                    <tr><td class="id">{h.Handler}</td><td>{state}</td><td class="num">{Limit(h.MaxConcurrency)}</td><td class="num">{Limit(h.MaxConcurrencyPerKey)}</td><td class="num">{rate}</td><td class="num">{Format.Count(h.SlotsInUse)}</td><td class="num">{(h.RateLimit > 0 ? HtmlWriter.Of($"{Format.Count(h.StartsInWindow)}") : None)}</td><td class="num">{waiting}</td><td class="num">{(h.Timeout is { } timeout ? HtmlWriter.Of($"{Format.Span(timeout)}") : None)}</td><td class="num">{h.Priority}</td>
                    """);
                if (actions)
                {
                    var (action, label) = h.IsPaused ? (DashboardAction.ResumeHandler, "Resume…") : (DashboardAction.PauseHandler, "Pause…");
                    html.Append($"""<td class="row-actions">{Layout.ButtonLink(request.Url("confirm", ("action", action), ("id", h.Handler)), label, "small")}</td>""");
                }

                html.Append($"</tr>");
            }

            html.Append($"</tbody></table>");
        }

        html.Append($"""<p class="muted">A handler is listed once a worker that declares a concurrency or rate limit for it has started, or while it is paused. Limits hold across the cluster; slots and starts are live.</p>""");
        if (actions)
        {
            // A handler no host runs yet (a rolling deploy) can be paused by name; the confirmation page posts it.
            html.Append($"""
                <form class="search" method="get" action="{request.Url("confirm")}" id="pause-by-name">
                <input type="hidden" name="action" value="{DashboardAction.PauseHandler}">
                <label>Pause a handler by name <input name="id" placeholder="exact handler name" required></label>
                <button type="submit">Pause…</button>
                </form>
                """);
        }

        return Layout.Page(request, Section.Handlers, Title, html.ToMarkup());
    }

    private static Markup None => new("""<span class="muted">–</span>""");

    private static Markup Limit(int value) => value > 0 ? HtmlWriter.Of($"{Format.Count(value)}") : None;
}
