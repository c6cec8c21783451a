using Athomic.Scheduler.Operations;

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
