using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// The persistent schedule: pending tasks ordered by due time and tasks in flight under a lease; a claim it ends
/// for good may move its task to the dead letters, which <see cref="IDeadLetterStore"/> lists and requeues.
/// Every operation is atomic. Implementations: the Redis store and the in-memory store (for tests).
/// </summary>
/// <remarks>
/// Times are milliseconds since the Unix epoch on the store's own clock. A task moves
/// pending → in flight (<see cref="ClaimAsync"/>) → gone (<see cref="AckAsync"/>), back to pending
/// (<see cref="RetryAsync"/>, <see cref="ReleaseAsync"/>, or an expired lease reclaimed by any claim), or to the
/// dead letters (<see cref="DeadLetterAsync"/>). Every claim gets a fencing token (<see cref="TaskClaim"/>); the
/// calls that end or extend a claim act only while that claim is the current one, so a run whose lease expired never
/// ends the newer claim. Scheduling an id that is claimed holds the new version back until the claim ends
/// (<see cref="ScheduleStatus.RescheduledAfterRun"/>): two versions of one id never run at the same time.
/// </remarks>
public interface IScheduleStore
{
    /// <summary>Stores tasks atomically per call; each existing id is rescheduled or refused by <paramref name="policy"/>.</summary>
    /// <param name="items">The tasks.</param>
    /// <param name="policy">What to do with ids that are already stored.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One status per item, in order.</returns>
    Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken);

    /// <summary>Removes a pending task.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when a pending task was removed.</returns>
    Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Reads a stored task.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored entry, or <see langword="null"/>.</returns>
    Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically moves up to <paramref name="maxCount"/> due tasks (expired leases first) into the in-flight set
    /// with a lease of <paramref name="lease"/>, and reports when the next pending task falls due.
    /// </summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="lease">How long the claim holds before any worker may reclaim the task.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed tasks and the time to the next due task.</returns>
    Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Extends the leases of claims this process holds; only current claims are extended.</summary>
    /// <param name="claims">The claims (task id and fencing token).</param>
    /// <param name="lease">The new lease, from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claims that are no longer current (their lease expired and the task was claimed again, or the task is gone).</returns>
    Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a claim whose task the broker accepted for good (ran it, or stored it durably): the task is removed, and a
    /// version scheduled while it ran becomes pending.
    /// </summary>
    /// <param name="claim">The claim.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the claim was still current.</returns>
    Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a claim by moving its task back to pending with a new envelope (the next attempt) after
    /// <paramref name="delay"/>; a version scheduled while it ran replaces that attempt and becomes pending instead.
    /// </summary>
    /// <param name="claim">The claim.</param>
    /// <param name="envelope">The envelope of the next attempt.</param>
    /// <param name="delay">The delay from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the claim was still current.</returns>
    Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Ends claims by moving their tasks back to pending, due now, unchanged (a worker hands them back on shutdown).</summary>
    /// <param name="claims">The claims.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of tasks handed back (claims that were still current).</returns>
    Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a claim by moving its task to the dead letters with a record of why; a version scheduled while it ran
    /// becomes pending. Trims the dead letters to the store's retention.
    /// </summary>
    /// <param name="claim">The claim.</param>
    /// <param name="record">The encoded <see cref="DeadLetter"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the claim was still current.</returns>
    Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>Subscribes to "a task became due sooner" notifications, so idle workers wake early.</summary>
    /// <param name="onEarlierTask">Called (on any thread) when a task was scheduled ahead of the previous head of the schedule.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A handle that unsubscribes when disposed.</returns>
    Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken);
}
