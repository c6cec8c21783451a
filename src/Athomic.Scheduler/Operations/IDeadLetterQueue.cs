namespace Athomic.Scheduler.Operations;

/// <summary>
/// The tasks that will not run again on their own: listed, inspected, requeued or purged. Registered in DI by
/// <c>AddAthomicScheduler</c>; works on every store.
/// </summary>
/// <remarks>
/// A dead letter keeps the task's envelope byte for byte, the last error, the attempts made and when it failed.
/// Requeueing is atomic: the dead letter disappears and the task is pending again in one step.
/// A task dead-lettered again while it has a dead letter (its id was scheduled anew) keeps both: each is listed and
/// counted; reading and requeueing by id take the newest, after which the next newest is the id's dead letter.
/// </remarks>
public interface IDeadLetterQueue
{
    /// <summary>Lists dead letters, newest first.</summary>
    /// <param name="offset">How many of the newest to skip (0 for the first page).</param>
    /// <param name="count">The page size (1–1000).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the total count.</returns>
    Task<DeadLetterPage> ListAsync(int offset = 0, int count = 100, CancellationToken cancellationToken = default);

    /// <summary>Reads the newest dead letter of a task.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letter, or <see langword="null"/> when there is none with that id.</returns>
    Task<DeadLetter?> GetAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules a dead-lettered task again as a fresh first attempt, due after <paramref name="delay"/>, and removes
    /// the dead letter in the same atomic step (the task's newest, when it has more than one). An envelope this build cannot read (for example one written by a
    /// newer version) is requeued byte for byte, so a host that can read it runs it.
    /// </summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="delay">The delay from now; zero runs it as soon as possible.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was requeued, not found, or refused because a task with that id is already scheduled.</returns>
    Task<DeadLetterRequeueResult> RequeueAsync(string taskId, TimeSpan delay = default, CancellationToken cancellationToken = default);

    /// <summary>Deletes the dead letters of one task for good (every one, when it has more than one).</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when there was one.</returns>
    Task<bool> PurgeAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Deletes every dead letter for good.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were deleted.</returns>
    Task<long> PurgeAllAsync(CancellationToken cancellationToken = default);
}
