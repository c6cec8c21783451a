using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// The outcome of the last action, shown once after its redirect. The redirect carries a code (<c>done</c>) and the
/// task id or count, never message text, so a crafted link cannot make the dashboard say something it did not do.
/// </summary>
internal static class Flash
{
    public static Markup Render(DashboardRequest request)
    {
        var done = request.Query("done");
        if (done is null)
        {
            return Markup.Empty;
        }

        var id = request.Query("id") ?? string.Empty;
        var count = long.TryParse(request.Query("n"), out var n) ? Format.Count(n) : "0";
        var (ok, text) = done switch
        {
            "cancelled" => (true, $"Task {id} was cancelled."),
            "not-cancelled" => (false, $"Task {id} was not cancelled: it is not pending (it may have started, finished, or been cancelled already)."),
            "due" => (true, $"Task {id} is due now and runs as soon as a worker claims it."),
            "in-flight" => (false, $"Task {id} is already in flight: nothing changed."),
            "not-found" => (false, $"There is no task {id} any more."),
            "requeued" => (true, $"Dead letter {id} was requeued as a fresh first attempt, due now."),
            "already-scheduled" => (false, $"Dead letter {id} was kept: a task with that id is already scheduled."),
            "requeued-all" => (true, $"{count} dead letters were requeued."),
            "purged" => (true, $"Dead letter {id} was deleted."),
            "purged-all" => (true, $"{count} dead letters were deleted."),
            "removed" => (true, $"Recurring schedule {id} was removed (its pending occurrence is cancelled)."),
            "triggered" => (true, $"An extra run was scheduled now as task {id}."),
            "paused" => (true, $"Handler {id} is paused: its due tasks wait until it is resumed; runs already started finish."),
            "resumed" => (true, $"Handler {id} is resumed: its waiting tasks run now."),
            _ => (false, string.Empty),
        };

        if (text.Length == 0)
        {
            return Markup.Empty;
        }

        var link = id.Length > 0 && done is "due" or "in-flight" or "triggered" or "already-scheduled"
            ? HtmlWriter.Of($""" <a href="{request.Url("task", ("id", id))}">Open the task</a>""")
            : Markup.Empty;
        return HtmlWriter.Of($"""<p class="flash {(ok ? "ok" : "warn")}" role="status">{text}{link}</p>""");
    }
}
