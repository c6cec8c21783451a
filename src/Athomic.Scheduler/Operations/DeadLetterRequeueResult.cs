namespace Athomic.Scheduler.Operations;

/// <summary>The outcome of requeueing a dead letter.</summary>
public enum DeadLetterRequeueResult
{
    /// <summary>The task is pending again and the dead letter is gone.</summary>
    Requeued = 1,

    /// <summary>There is no dead letter with that id.</summary>
    NotFound = 2,

    /// <summary>A task with the same id is already scheduled; the dead letter is kept.</summary>
    AlreadyScheduled = 3,
}
