using System.Globalization;
using Athomic.Scheduler.Dashboard.Pages;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// The one endpoint that changes anything (POST, mapped only when the dashboard is not read-only): checks the
/// anti-forgery token first, carries out the confirmed action, and redirects (303) to the page that shows its outcome.
/// </summary>
internal static class DashboardActions
{
    public static async Task<IResult> PostAsync(DashboardRequest request)
    {
        var http = request.Http;
        try
        {
            await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
        }
        catch (AntiforgeryValidationException)
        {
            return Layout.Message(request, "Refused", "The action was refused: its form is missing a valid anti-forgery token. Open the page again and confirm from there.",
                StatusCodes.Status400BadRequest);
        }

        var form = await http.Request.ReadFormAsync(request.Aborted);
        var action = DashboardAction.Find(form["action"].ToString());
        var id = form["id"].ToString().Trim();
        if (action is null || (action.NeedsId && id.Length == 0))
        {
            return Layout.Message(request, "Unknown action", "This action does not exist, or it needs a task or schedule id.", StatusCodes.Status400BadRequest);
        }

        string page, done;
        string? shownId;
        long? count;
        try
        {
            (page, done, shownId, count) = await RunAsync(http.RequestServices, action, id, request.Aborted);
        }
        catch (ArgumentException ex)
        {
            return Layout.Message(request, action.Title, "The action was not carried out: " + ex.Message, StatusCodes.Status400BadRequest,
                Layout.ButtonLink(request.Url(action.ListPage), "Go back"));
        }

        // 303 See Other: the browser follows with a GET, so reloading the outcome never repeats the action.
        http.Response.Headers.Location = request.Url(page, ("done", done), ("id", shownId), ("n", count?.ToString(CultureInfo.InvariantCulture)));
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static async Task<(string Page, string Done, string? Id, long? Count)> RunAsync(
        IServiceProvider services, DashboardAction action, string id, CancellationToken cancellationToken)
    {
        var scheduler = services.GetRequiredService<IScheduler>();
        var operations = services.GetRequiredService<ISchedulerOperations>();
        var deadLetters = services.GetRequiredService<IDeadLetterQueue>();
        switch (action.Name)
        {
            case DashboardAction.Cancel:
                return ("pending", await scheduler.CancelAsync(id, cancellationToken) ? "cancelled" : "not-cancelled", id, null);
            case DashboardAction.RunNow:
                var status = await operations.RunNowAsync(id, cancellationToken);
                return ("task", status switch { RunNowStatus.Due => "due", RunNowStatus.InFlight => "in-flight", _ => "not-found" }, id, null);
            case DashboardAction.Requeue:
                var requeued = await deadLetters.RequeueAsync(id, TimeSpan.Zero, cancellationToken);
                return ("dead", requeued switch
                {
                    DeadLetterRequeueResult.Requeued => "requeued",
                    DeadLetterRequeueResult.AlreadyScheduled => "already-scheduled",
                    _ => "not-found",
                }, id, null);
            case DashboardAction.RequeueAll:
                return ("dead", "requeued-all", null, await operations.RequeueAllDeadLettersAsync(cancellationToken));
            case DashboardAction.Purge:
                return ("dead", await deadLetters.PurgeAsync(id, cancellationToken) ? "purged" : "not-found", id, null);
            case DashboardAction.PurgeAll:
                return ("dead", "purged-all", null, await deadLetters.PurgeAllAsync(cancellationToken));
            case DashboardAction.RemoveRecurring:
                return ("recurring", await scheduler.RemoveRecurringAsync(id, cancellationToken) ? "removed" : "not-found", id, null);
            case DashboardAction.PauseHandler:
                await operations.PauseHandlerAsync(id, cancellationToken);
                return ("handlers", "paused", id, null);
            case DashboardAction.ResumeHandler:
                await operations.ResumeHandlerAsync(id, cancellationToken);
                return ("handlers", "resumed", id, null);
            default: // Trigger
                var taskId = await operations.TriggerRecurringAsync(id, cancellationToken);
                return ("recurring", taskId is null ? "not-found" : "triggered", taskId ?? id, null);
        }
    }
}
