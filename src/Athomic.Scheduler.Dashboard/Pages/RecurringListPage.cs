using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>The recurring schedules with their next occurrence, paged by the store's cursor, with trigger and remove.</summary>
internal static class RecurringListPage
{
    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        RecurringPage result;
        try
        {
            result = await request.Http.RequestServices.GetRequiredService<ISchedulerOperations>()
                .ListRecurringAsync(request.Query("cursor"), request.Options.PageSize, request.Aborted);
        }
        catch (ArgumentException ex)
        {
            return Layout.Message(request, "Recurring schedules", "The list cannot be read from there: " + ex.Message, StatusCodes.Status400BadRequest,
                Layout.ButtonLink(request.Url("recurring"), "Back to the first page"));
        }

        var html = new HtmlWriter();
        if (result.Items.Count == 0)
        {
            html.Append($"""<p class="empty">Nothing here.</p>""");
        }
        else
        {
            var actions = !request.Options.ReadOnly;
            html.Append($"""
                <table class="grid" id="recurring">
                <thead><tr><th>Schedule id</th><th>Handler</th><th>Schedule</th><th>Next occurrence</th><th>Pending occurrence</th><th class="num">Partition</th>{(actions ? new Markup("<th>Actions</th>") : Markup.Empty)}</tr></thead>
                <tbody>
                """);
            foreach (var s in result.Items)
            {
                var schedule = s.Schedule?.ToString() ?? s.Error ?? "(unreadable)";
                var pending = s.PendingTaskId is { } taskId
                    ? HtmlWriter.Of($"""<a href="{request.Url("task", ("id", taskId))}">{taskId}</a>""")
                    : new Markup("""<span class="muted">–</span>""");
                html.Append($"""<tr><td class="id">{s.ScheduleId}</td><td>{s.Handler}</td><td>{schedule}</td><td>{Layout.Time(request, s.NextOccurrence)}</td><td class="id">{pending}</td><td class="num">{s.Partition}</td>""");
                if (actions)
                {
                    html.Append($"""
                        <td class="row-actions">{Layout.ButtonLink(request.Url("confirm", ("action", DashboardAction.Trigger), ("id", s.ScheduleId)), "Trigger now…", "small")} {Layout.ButtonLink(request.Url("confirm", ("action", DashboardAction.RemoveRecurring), ("id", s.ScheduleId)), "Remove…", "small danger")}</td>
                        """);
                }

                html.Append($"</tr>");
            }

            html.Append($"</tbody></table>");
        }

        html.Append(Paging.Render(request, "recurring", [], result.NextCursor));
        return Layout.Page(request, Section.Recurring, "Recurring schedules", html.ToMarkup());
    }
}
