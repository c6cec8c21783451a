namespace Athomic.Scheduler.Extensibility;

/// <summary>The state of the latest occurrence a schedule has added (see <see cref="RecurringDueEntry"/>).</summary>
public enum RecurringOccurrenceState
{
    /// <summary>There is none (a new schedule, or one whose pending occurrence was cancelled by an update).</summary>
    None = 0,

    /// <summary>It is pending, and its successor is not prepared yet.</summary>
    Pending = 1,

    /// <summary>It is pending, with its successor prepared.</summary>
    Prepared = 2,

    /// <summary>It left the schedule (dispatched, or cancelled) without adding a successor.</summary>
    Gone = 3,
}
