using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// The lists of pending (by due time), in-flight (by lease deadline) and dead-lettered (newest first) tasks: one
/// keyset-paged store call per page, with the handler and id-prefix filters of the search form.
/// </summary>
internal static class TaskListPage
{
    public static async Task<IResult> RenderAsync(DashboardRequest request, ScheduledTaskState state)
    {
        var (page, section, title) = state switch
        {
            ScheduledTaskState.Pending => ("pending", Section.Pending, "Pending tasks"),
            ScheduledTaskState.InFlight => ("inflight", Section.InFlight, "In-flight tasks"),
            _ => ("dead", Section.DeadLetters, "Dead letters"),
        };
        var handler = request.Query("handler");
        var prefix = request.Query("prefix");
        (string, string?)[] filters = [("handler", handler), ("prefix", prefix)];
        TaskPage result;
        try
        {
            result = await request.Http.RequestServices.GetRequiredService<ISchedulerOperations>().ListTasksAsync(
                new TaskQuery(state) { Limit = request.Options.PageSize, Cursor = request.Query("cursor"), Handler = handler, IdPrefix = prefix },
                request.Aborted);
        }
        catch (ArgumentException ex)
        {
            return Layout.Message(request, title, "The list cannot be read from there: " + ex.Message, StatusCodes.Status400BadRequest,
                Layout.ButtonLink(request.Url(page, filters), "Back to the first page"));
        }

        var html = new HtmlWriter();
        html.Append(SearchForm(request, page, handler, prefix));
        if (state == ScheduledTaskState.DeadLetter && !request.Options.ReadOnly)
        {
            html.Append($"""
                <p class="actions">
                {Layout.ButtonLink(request.Url("confirm", ("action", DashboardAction.RequeueAll)), "Requeue all…")}
                {Layout.ButtonLink(request.Url("confirm", ("action", DashboardAction.PurgeAll)), "Purge all…", "danger")}
                </p>
                """);
        }

        html.Append(Table(request, state, result.Items, Paging.PageNumber(request) > 1));
        if (result.Items.Count < request.Options.PageSize && result.NextCursor is not null && (handler ?? prefix) is not null)
        {
            html.Append($"""<p class="muted">A filtered page looks at a bounded slice of the schedule, so it can show fewer rows than the page size: keep going with Next until it ends.</p>""");
        }

        html.Append(Paging.Render(request, page, filters, result.NextCursor));
        return Layout.Page(request, section, title, html.ToMarkup());
    }

    private static Markup SearchForm(DashboardRequest request, string page, string? handler, string? prefix) => HtmlWriter.Of($"""
        <form class="search" method="get" action="{request.Url(page)}" role="search">
        <label>Handler <input name="handler" value="{handler}" placeholder="exact handler name"></label>
        <label>Id prefix <input name="prefix" value="{prefix}" placeholder="e.g. trial:"></label>
        <button type="submit">Search</button>
        {((handler ?? prefix) is not null ? Layout.ButtonLink(request.Url(page), "Clear") : Markup.Empty)}
        </form>
        """);

    private static Markup Table(DashboardRequest request, ScheduledTaskState state, IReadOnlyList<TaskSummary> items, bool paged)
    {
        if (items.Count == 0)
        {
            return new Markup(paged ? """<p class="empty">No more tasks past this point.</p>""" : """<p class="empty">Nothing here.</p>""");
        }

        var html = new HtmlWriter();
        var when = state switch
        {
            ScheduledTaskState.Pending => "Due",
            ScheduledTaskState.InFlight => "Lease deadline",
            _ => "Failed",
        };
        html.Append($"""
            <table class="grid tasks" id="tasks">
            <thead><tr><th>Task id</th><th>Handler</th><th>{when}</th><th class="num">Attempt</th>{(state == ScheduledTaskState.InFlight ? new Markup("<th>Owner</th>") : Markup.Empty)}{(state == ScheduledTaskState.DeadLetter ? new Markup("<th>Reason</th>") : Markup.Empty)}<th class="num">Partition</th><th class="num">Payload</th></tr></thead>
            <tbody>
            """);
        foreach (var task in items)
        {
            var time = state switch
            {
                ScheduledTaskState.Pending => task.DueAt,
                ScheduledTaskState.InFlight => task.LeaseDeadline,
                _ => task.FailedAt,
            };
            html.Append($"""<tr><td class="id"><a href="{request.Url("task", ("id", task.TaskId))}">{task.TaskId}</a></td><td>{task.Handler}</td><td>{Layout.Time(request, time)}{(task.IsWaiting ? TaskDetailPage.WaitingBadge : Markup.Empty)}</td><td class="num">{task.Attempt}</td>""");
            if (state == ScheduledTaskState.InFlight)
            {
                html.Append($"<td>{task.Owner ?? "–"}</td>");
            }

            if (state == ScheduledTaskState.DeadLetter)
            {
                html.Append($"""<td class="reason" title="{task.LastError}">{Format.Truncate(task.LastError, 80)}</td>""");
            }

            html.Append($"""<td class="num">{task.Partition}</td><td class="num">{Format.Bytes(task.PayloadSize)}</td></tr>""");
        }

        html.Append($"</tbody></table>");
        return html.ToMarkup();
    }
}
