namespace Athomic.Scheduler.Operations;

/// <summary>The outcome of <see cref="ISchedulerOperations.RunNowAsync"/>.</summary>
public enum RunNowStatus
{
    /// <summary>The pending task is due now.</summary>
    Due = 1,

    /// <summary>The task is in flight (claimed, or queued in the broker): it is running or about to; nothing changed.</summary>
    InFlight = 2,

    /// <summary>No pending or in-flight task has that id.</summary>
    NotFound = 3,
}
