namespace Athomic.Scheduler;

/// <summary>Where a stored task is in its life.</summary>
public enum ScheduledTaskState
{
    /// <summary>Waiting in the schedule for its due time.</summary>
    Pending = 1,

    /// <summary>Claimed by a worker and handed to the broker; not cancellable any more.</summary>
    InFlight = 2,

    /// <summary>
    /// A dead letter (see <see cref="Operations.IDeadLetterQueue"/>): listed by <see cref="ISchedulerOperations"/>, never returned
    /// by <see cref="IScheduler.GetAsync"/>.
    /// </summary>
    DeadLetter = 3,
}
