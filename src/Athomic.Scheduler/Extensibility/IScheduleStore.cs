using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;

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

/// <summary>A task to store: its id, envelope, and due time (absolute, or relative to the store's clock).</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded <see cref="TaskEnvelope"/>.</param>
/// <param name="DueMilliseconds">Milliseconds since the Unix epoch, or from now when <paramref name="IsRelative"/>.</param>
/// <param name="IsRelative">Whether <paramref name="DueMilliseconds"/> is a delay.</param>
public readonly record struct StoreItem(string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, bool IsRelative)
{
    /// <summary>The task's priority (<see cref="GenericTask.Priority"/>): among due tasks, higher ones are claimed first.</summary>
    public int Priority { get; init; }
}

/// <summary>A stored task as read back.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded envelope.</param>
/// <param name="State">Pending or in flight.</param>
/// <param name="ScoreMilliseconds">The due time (pending) or lease deadline (in flight), in Unix milliseconds.</param>
public sealed record StoredTask(string TaskId, ReadOnlyMemory<byte> Envelope, ScheduledTaskState State, long ScoreMilliseconds);

/// <summary>A task claimed by <see cref="IScheduleStore.ClaimAsync"/>.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded envelope (empty when the details were missing).</param>
/// <param name="DueMilliseconds">The due time the task had, in Unix milliseconds.</param>
/// <param name="Reclaimed">Whether the task came from an expired lease rather than the schedule.</param>
/// <param name="ExpiredLeases">
/// How many of the task's leases have expired since a handler last finished it (acknowledged, retried or
/// dead-lettered): each one is a run whose process died or stalled. 0 for a task fresh from the schedule.
/// </param>
/// <param name="Token">The claim's fencing token: every call that ends or extends the claim presents it.</param>
public readonly record struct ClaimedEntry(string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, bool Reclaimed, int ExpiredLeases = 0, long Token = 0)
{
    /// <summary>The claim, to end or extend it.</summary>
    public TaskClaim Claim => new(TaskId, Token);
}

/// <summary>
/// One claim of a task: its id and the fencing token the store gave that claim. A later claim of the same id (after
/// the lease expired) gets a greater token, and the store acts only on the current one. Tokens are unique per
/// partition, not across partitions: a claim is identified by id and token together.
/// </summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Token">The fencing token.</param>
public readonly record struct TaskClaim(string TaskId, long Token);

/// <summary>The result of a claim.</summary>
/// <param name="Tasks">The claimed tasks.</param>
/// <param name="NextDueIn">Time until the next pending task is due (zero when more are due now), or
/// <see langword="null"/> when nothing is pending.</param>
/// <param name="NowMilliseconds">The store's clock at the claim.</param>
/// <param name="RecurringDispatched">
/// How many claimed tasks were recurring occurrences with a prepared successor, which the claim added as their
/// schedule's next occurrence: the worker looks at those schedules at once, to prepare the successor after it
/// (see <see cref="IRecurringStore"/>).
/// </param>
public sealed record ClaimBatch(IReadOnlyList<ClaimedEntry> Tasks, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched = 0)
{
    /// <summary>
    /// How many tasks of the claimed store (or of the partitions this claim visited) wait for a flow-control slot; the
    /// worker keeps looking at them while any wait. 0 where the store has no flow control.
    /// </summary>
    public long Waiting { get; init; }
}
