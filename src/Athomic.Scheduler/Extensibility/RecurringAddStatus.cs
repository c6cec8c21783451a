namespace Athomic.Scheduler.Extensibility;

/// <summary>The result of <see cref="IRecurringStore.AddOccurrenceAsync"/>.</summary>
public enum RecurringAddStatus
{
    /// <summary>The schedule is gone, or changed since it was read.</summary>
    Stale = 0,

    /// <summary>The occurrence was added.</summary>
    Added = 1,

    /// <summary>The occurrence is not later than the watermark: another worker added it (or a later one) first.</summary>
    AlreadyAdded = 2,

    /// <summary>The schedule has no further occurrence and left the index.</summary>
    Finished = 3,

    /// <summary>Only the successor was asked for, and prepared.</summary>
    SuccessorPrepared = 4,

    /// <summary>The schedule was only re-indexed, to be looked at again later (see <see cref="RecurringAddRequest.Defer"/>).</summary>
    Deferred = 5,
}
