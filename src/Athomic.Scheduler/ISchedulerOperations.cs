using System.Diagnostics.CodeAnalysis;

namespace Athomic.Scheduler;

/// <summary>
/// What an operator (a dashboard, the <c>athomic</c> tool) needs beyond <see cref="IScheduler"/> and
/// <see cref="IDeadLetterQueue"/>: paged listings of pending, in-flight and dead-lettered tasks and of recurring
/// schedules, counts per partition, one task with its payload, and the actions "run now", "trigger a recurring
/// schedule once" and "requeue every dead letter". Registered in DI by <c>AddAthomicScheduler</c>; works on the Redis
/// store (with partitions, on a cluster, on Garnet) and the in-memory store.
/// </summary>
/// <remarks>
/// <para>
/// Every call costs O(log n + page) on the store: listings are keyset-paged (a <see cref="TaskPage.NextCursor"/>
/// the caller passes back), nothing scans the keyspace, and with partitions each call sends one script per partition.
/// A filtered listing (<see cref="TaskQuery.Handler"/>, <see cref="TaskQuery.IdPrefix"/>) looks at no more than
/// <see cref="TaskQuery.ScanFactor"/> × <see cref="TaskQuery.Limit"/> entries per partition and call, so a page may
/// hold fewer items than the limit (even none) and still have a <see cref="TaskPage.NextCursor"/>: keep paging until
/// it is <see langword="null"/>.
/// </para>
/// <para>
/// The other actions are on the existing services: cancel a pending task with <see cref="IScheduler.CancelAsync"/>,
/// remove a recurring schedule with <see cref="IScheduler.RemoveRecurringAsync"/>, requeue one dead letter with
/// <see cref="IDeadLetterQueue.RequeueAsync"/>, purge dead letters with <see cref="IDeadLetterQueue.PurgeAsync"/> or
/// <see cref="IDeadLetterQueue.PurgeAllAsync"/>.
/// </para>
/// <para>
/// A store written outside this library (<c>UseStore(...)</c>) supports only <see cref="RequeueAllDeadLettersAsync"/>;
/// the other calls throw <see cref="NotSupportedException"/> saying so. Pausing, resuming and listing handlers
/// (<see cref="PauseHandlerAsync"/>, <see cref="ResumeHandlerAsync"/>, <see cref="ListHandlersAsync"/>) need the flow
/// control state that only the Redis store keeps (also on Garnet); on the in-memory store they throw
/// <see cref="NotSupportedException"/> too.
/// </para>
/// </remarks>
public interface ISchedulerOperations
{
    /// <summary>The counts of every partition (one entry when the schedule is not partitioned), read on the store's clock.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per partition, in partition order.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<IReadOnlyList<PartitionCounts>> GetCountsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists one page of tasks in one state: pending by due time (the tasks that wait for flow control last, see
    /// <see cref="TaskSummary.IsWaiting"/>), in flight by lease deadline (with the lease's owner), or dead letters
    /// newest first; ties in time are ordered by task id.
    /// </summary>
    /// <param name="query">The state, filters, page size and cursor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is not one this listing returned.</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<TaskPage> ListTasksAsync(TaskQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads one task, pending, in flight or dead-lettered, with its payload.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task, or <see langword="null"/> when no task with that id is stored.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<TaskDetails?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Lists one page of recurring schedules with their next occurrence.</summary>
    /// <param name="cursor">The <see cref="RecurringPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first.</param>
    /// <param name="limit">The page size (1–<see cref="TaskQuery.MaxLimit"/>); a page may hold fewer and still have a next cursor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page (in the store's order, not sorted across pages) and the cursor of the next one.</returns>
    /// <exception cref="ArgumentException">The limit is out of range or the cursor is invalid.</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<RecurringPage> ListRecurringAsync(string? cursor = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>Makes a pending task due now (the store's now), keeping its payload and attempt.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was made due, is in flight already, or is not stored.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules one extra run of a recurring schedule now, under the id <c>{scheduleId}@manual-{Unix ms}</c>, with the
    /// schedule's handler and payload. The schedule's own occurrences and its watermark are not touched.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task id of the extra run, or <see langword="null"/> when there is no such schedule.</returns>
    /// <exception cref="InvalidOperationException">The schedule's definition cannot be read by this build.</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<string?> TriggerRecurringAsync(string scheduleId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Requeues every dead letter as a fresh first attempt due now (as <see cref="IDeadLetterQueue.RequeueAsync"/> does
    /// for one), in pages of a few hundred; a dead letter whose id is scheduled again meanwhile is kept. Each id is
    /// requeued at most once per call, so a task that is dead-lettered again at once stays a dead letter and the call
    /// ends.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call (the pages already requeued stay requeued).</param>
    /// <returns>How many were requeued.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<long> RequeueAllDeadLettersAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses a handler cluster-wide: its due tasks wait (pending, not claimed, not dead-lettered) until
    /// <see cref="ResumeHandlerAsync"/>; runs already started finish. A name no host knows yet may be paused (a rolling
    /// deploy may not have it yet).
    /// </summary>
    /// <param name="handler">The handler name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the pause is stored.</returns>
    /// <remarks>
    /// Every worker hears of the pause at once (Pub/Sub) and loads the paused handlers when it starts; a handler with a
    /// concurrency or rate limit is checked against the pause in the same step that takes its slot. Pausing a paused
    /// handler changes nothing.
    /// </remarks>
    /// <exception cref="ArgumentException">The name is not a valid handler name.</exception>
    /// <exception cref="NotSupportedException">The store has no flow control (the in-memory store, or one passed to <c>UseStore(...)</c>).</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task PauseHandlerAsync(string handler, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused handler: its waiting due tasks run at once. Resuming a handler that is not paused changes nothing.</summary>
    /// <param name="handler">The handler name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the pause is lifted.</returns>
    /// <exception cref="ArgumentException">The name is not a valid handler name.</exception>
    /// <exception cref="NotSupportedException">The store has no flow control (the in-memory store, or one passed to <c>UseStore(...)</c>).</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task ResumeHandlerAsync(string handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every handler with flow control declared by a running host, or paused: its limits, slots in use, starts in the
    /// current rate window, paused state and waiting tasks, ordered by name.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The handlers.</returns>
    /// <remarks>
    /// A handler is listed once a worker that declares a limit for it has started (its limits stay listed after that
    /// worker stops), or while it is paused. <see cref="HandlerFlowInfo.Waiting"/> counts over every partition, one
    /// O(log n) call each.
    /// </remarks>
    /// <exception cref="NotSupportedException">The store has no flow control (the in-memory store, or one passed to <c>UseStore(...)</c>).</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<IReadOnlyList<HandlerFlowInfo>> ListHandlersAsync(CancellationToken cancellationToken = default);
}

/// <summary>What one call of <see cref="ISchedulerOperations.ListTasksAsync"/> lists.</summary>
/// <param name="State">Pending (by due time), in flight (by lease deadline) or dead letters (newest first).</param>
public sealed record TaskQuery(ScheduledTaskState State = ScheduledTaskState.Pending)
{
    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>How many entries a filtered listing looks at per partition and call, as a multiple of <see cref="Limit"/>.</summary>
    public const int ScanFactor = 10;

    /// <summary>The page size (1–<see cref="MaxLimit"/>; default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The <see cref="TaskPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Only tasks of this handler (exact, case-sensitive), or <see langword="null"/> for all.</summary>
    public string? Handler { get; init; }

    /// <summary>Only tasks whose id starts with this (ordinal), or <see langword="null"/> for all.</summary>
    public string? IdPrefix { get; init; }
}

/// <summary>One page of tasks.</summary>
/// <param name="Items">The tasks, in the listing's order.</param>
/// <param name="NextCursor">Pass it back as <see cref="TaskQuery.Cursor"/> for the next page; <see langword="null"/> when the listing is complete.</param>
public sealed record TaskPage(IReadOnlyList<TaskSummary> Items, string? NextCursor);

/// <summary>A stored task as an operator sees it.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="State">Pending, in flight or dead-lettered.</param>
/// <param name="Handler">The handler name, or an empty string when the envelope cannot be read (then <see cref="LastError"/> says why).</param>
/// <param name="Attempt">The attempt that runs next (pending), runs (in flight) or ran last (dead letter); 0 when unknown.</param>
/// <param name="PayloadSize">The payload's size in bytes.</param>
/// <param name="Partition">The partition that holds the task.</param>
public sealed record TaskSummary(string TaskId, ScheduledTaskState State, string Handler, int Attempt, int PayloadSize, int Partition)
{
    /// <summary>When a pending task is due.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// Whether a pending task is due and waits for flow control: its handler is paused
    /// (<see cref="ISchedulerOperations.PauseHandlerAsync"/>) or at its concurrency or rate limit. It keeps its
    /// <see cref="DueAt"/> and attempt, and runs when a slot frees or the handler is resumed. A pending listing shows
    /// waiting tasks after those not held back, in due order among themselves.
    /// </summary>
    public bool IsWaiting { get; init; }

    /// <summary>When an in-flight task's lease runs out unless its owner renews it.</summary>
    public DateTimeOffset? LeaseDeadline { get; init; }

    /// <summary>
    /// Who holds an in-flight task's lease: <c>{machine}-{process id}</c> of the worker that claimed it (with the
    /// streams broker: the consumer that read its entry), or <see langword="null"/> when not known (a claim by an older
    /// version, or an entry no consumer has read yet).
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The last error known: a dead letter's reason, or why the stored envelope cannot be read. The error of a failed
    /// attempt that is retried is not stored.
    /// </summary>
    public string? LastError { get; init; }

    /// <summary>When a dead letter was written.</summary>
    public DateTimeOffset? FailedAt { get; init; }
}

/// <summary>One task with its payload (<see cref="ISchedulerOperations.GetTaskAsync"/>).</summary>
/// <param name="Summary">The task.</param>
/// <param name="Payload">The MessagePack payload bytes (empty when the envelope cannot be read).</param>
public sealed record TaskDetails(TaskSummary Summary, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The default of <see cref="PayloadToJson"/>'s size cap.</summary>
    public const int DefaultJsonPayloadLimit = 64 * 1024;

    /// <summary>
    /// The payload as JSON (MessagePack converted without resolving any type), or <see langword="null"/> when it is
    /// larger than <paramref name="maxPayloadBytes"/> or not valid MessagePack.
    /// </summary>
    /// <param name="maxPayloadBytes">The largest payload converted.</param>
    /// <returns>The JSON text, or <see langword="null"/>.</returns>
    public string? PayloadToJson(int maxPayloadBytes = DefaultJsonPayloadLimit) => PayloadJson.Convert(Payload, maxPayloadBytes);

    /// <summary>
    /// The payload as JSON, as <see cref="PayloadToJson"/> gives it, or one sentence for operators saying why it is not
    /// converted: larger than <paramref name="maxPayloadBytes"/>, nested deeper than 64 levels, cut short, not
    /// MessagePack (with the offset of the first byte that is not), or followed by bytes after its first value.
    /// </summary>
    /// <param name="json">The JSON text when the payload converts.</param>
    /// <param name="problem">Why it does not, when it does not.</param>
    /// <param name="maxPayloadBytes">The largest payload converted.</param>
    /// <returns>Whether the payload converts.</returns>
    public bool TryPayloadToJson([NotNullWhen(true)] out string? json, [NotNullWhen(false)] out string? problem, int maxPayloadBytes = DefaultJsonPayloadLimit) =>
        PayloadJson.TryConvert(Payload, maxPayloadBytes, out json, out problem);
}

/// <summary>The counts of one partition, read in one step on the store's clock.</summary>
/// <param name="Partition">The partition index.</param>
/// <param name="Pending">Tasks waiting in the schedule, due or not.</param>
/// <param name="InFlight">Tasks claimed under a lease, or queued in the partition's stream.</param>
/// <param name="DeadLetters">Dead letters kept.</param>
/// <param name="Recurring">Recurring schedules.</param>
/// <param name="ReadAt">The store's time of the read.</param>
/// <param name="NextDueAt">
/// The due time of the first pending task, or <see langword="null"/> when none is pending; tasks that wait for flow
/// control (<see cref="TaskSummary.IsWaiting"/>) are not counted here, so a paused handler does not make the schedule late.
/// </param>
public sealed record PartitionCounts(int Partition, long Pending, long InFlight, long DeadLetters, long Recurring, DateTimeOffset ReadAt, DateTimeOffset? NextDueAt)
{
    /// <summary>How long the first pending task is overdue (zero when nothing is due).</summary>
    public TimeSpan Lateness => NextDueAt is { } due && due < ReadAt ? ReadAt - due : TimeSpan.Zero;
}

/// <summary>One page of recurring schedules.</summary>
/// <param name="Items">The schedules.</param>
/// <param name="NextCursor">Pass it back for the next page; <see langword="null"/> when the listing is complete.</param>
public sealed record RecurringPage(IReadOnlyList<RecurringScheduleInfo> Items, string? NextCursor);

/// <summary>A recurring schedule as an operator sees it.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Handler">The handler of its occurrences, or an empty string when the definition cannot be read.</param>
/// <param name="Schedule">When it runs (its <see cref="RecurringSchedule.ToString"/> describes it), or <see langword="null"/> when the definition cannot be read.</param>
/// <param name="NextOccurrence">Its next occurrence: the pending one, else the next after the latest added; <see langword="null"/> when there is none (or it cannot be read).</param>
/// <param name="Partition">The partition that holds it.</param>
public sealed record RecurringScheduleInfo(string ScheduleId, string Handler, RecurringSchedule? Schedule, DateTimeOffset? NextOccurrence, int Partition)
{
    /// <summary>The task id of its pending occurrence, or <see langword="null"/>.</summary>
    public string? PendingTaskId { get; init; }

    /// <summary>Why the definition cannot be read, or <see langword="null"/>.</summary>
    public string? Error { get; init; }
}

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
