namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// An action an operator can take, as the confirmation page describes it and the action endpoint carries it out.
/// </summary>
/// <param name="Name">The action's name in links and forms.</param>
/// <param name="NeedsId">Whether it acts on one task id, schedule id or handler name (the form's <c>id</c>).</param>
/// <param name="Title">The confirmation page's title.</param>
/// <param name="Consequence">What happens, in one sentence.</param>
/// <param name="Button">The label of the confirming button.</param>
/// <param name="Danger">Whether it destroys something for good.</param>
internal sealed record DashboardAction(string Name, bool NeedsId, string Title, string Consequence, string Button, bool Danger)
{
    public const string Cancel = "cancel";
    public const string RunNow = "run-now";
    public const string Requeue = "requeue";
    public const string RequeueAll = "requeue-all";
    public const string Purge = "purge";
    public const string PurgeAll = "purge-all";
    public const string RemoveRecurring = "remove-recurring";
    public const string Trigger = "trigger";
    public const string PauseHandler = "pause-handler";
    public const string ResumeHandler = "resume-handler";

    private static readonly Dictionary<string, DashboardAction> All = new DashboardAction[]
    {
        new(Cancel, true, "Cancel task", "The pending task is removed from the schedule and will not run.", "Cancel the task", true),
        new(RunNow, true, "Run task now", "The pending task becomes due now, keeping its payload and attempt; a worker runs it at its next claim.", "Run it now", false),
        new(Requeue, true, "Requeue dead letter", "The task is scheduled again as a fresh first attempt, due now, and the dead letter is removed.", "Requeue it", false),
        new(RequeueAll, false, "Requeue every dead letter", "Every dead letter is scheduled again as a fresh first attempt, due now.", "Requeue them all", false),
        new(Purge, true, "Purge dead letter", "The dead letter is deleted for good; its task will never run.", "Delete it", true),
        new(PurgeAll, false, "Purge every dead letter", "Every dead letter is deleted for good; none of their tasks will ever run.", "Delete them all", true),
        new(RemoveRecurring, true, "Remove recurring schedule", "The schedule is deleted and its pending occurrence cancelled; a run already in flight finishes.", "Remove the schedule", true),
        new(Trigger, true, "Trigger recurring schedule", "One extra run of the schedule is scheduled now, with its handler and payload; its own occurrences are not touched.", "Trigger it now", false),
        new(PauseHandler, true, "Pause handler", "Across the cluster, the handler's due tasks wait (pending, not claimed, not dead-lettered) until it is resumed; runs already started finish.", "Pause it", false),
        new(ResumeHandler, true, "Resume handler", "The handler's waiting due tasks run at once, within its limits.", "Resume it", false),
    }.ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>The action called <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static DashboardAction? Find(string? name) => name is not null && All.TryGetValue(name, out var action) ? action : null;

    /// <summary>The list the action belongs to: where "go back" leads and where the outcome is shown.</summary>
    public string ListPage => Name switch
    {
        Cancel or RunNow => "pending",
        RemoveRecurring or Trigger => "recurring",
        PauseHandler or ResumeHandler => "handlers",
        _ => "dead",
    };

    /// <summary>What the id names, as the confirmation page says it: "Task", "Schedule" or "Handler".</summary>
    public string Subject => ListPage switch
    {
        "recurring" => "Schedule",
        "handlers" => "Handler",
        _ => "Task",
    };
}
