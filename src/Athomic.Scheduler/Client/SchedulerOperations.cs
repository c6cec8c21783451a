using System.Globalization;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Client;

/// <summary>
/// The <see cref="ISchedulerOperations"/> over the configured stores: one <see cref="IOperationsSource"/> and one
/// <see cref="IStatisticsSource"/> per partition (none for a store written outside this library). Listings ask every
/// partition once, concurrently, and merge their pages by position; calls on one id go to its partition. Pausing,
/// resuming and listing handlers go to the schedule's <see cref="IFlowStore"/> (the Redis store's only).
/// </summary>
internal sealed class SchedulerOperations : ISchedulerOperations
{
    /// <summary>How many dead letters <see cref="RequeueAllDeadLettersAsync"/> requeues per round.</summary>
    internal const int RequeuePageSize = 200;

    private readonly IReadOnlyList<IOperationsSource> _partitions;
    private readonly IReadOnlyList<IStatisticsSource> _statistics;
    private readonly IScheduler _scheduler;
    private readonly IDeadLetterQueue _deadLetters;
    private readonly IDeadLetterStore _deadLetterStore;
    private readonly TimeProvider _time;
    private readonly PartitionRouter? _router;
    private readonly IFlowStore? _flow;

    public SchedulerOperations(
        IReadOnlyList<IOperationsSource> partitions,
        IReadOnlyList<IStatisticsSource> statistics,
        IScheduler scheduler,
        IDeadLetterQueue deadLetters,
        IDeadLetterStore deadLetterStore,
        TimeProvider time,
        PartitionRouter? router = null,
        IFlowStore? flow = null)
    {
        _flow = flow;
        _partitions = partitions;
        _statistics = statistics;
        _scheduler = scheduler;
        _deadLetters = deadLetters;
        _deadLetterStore = deadLetterStore;
        _time = time;
        _router = router;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartitionCounts>> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        if (_statistics.Count == 0)
        {
            throw NotSupported();
        }

        var reads = _statistics.Select((source, i) => source.ReadStatisticsAsync(i, cancellationToken));
        var all = await Task.WhenAll(reads).ConfigureAwait(false);
        return [.. all.Select(s => new PartitionCounts(
            s.Partition,
            s.Pending,
            s.InFlight,
            s.DeadLetters,
            s.Recurring,
            DateTimeOffset.FromUnixTimeMilliseconds(s.NowMilliseconds),
            s.OldestDueMilliseconds is { } due ? DateTimeOffset.FromUnixTimeMilliseconds(due) : null))];
    }

    /// <inheritdoc />
    public async Task<TaskPage> ListTasksAsync(TaskQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var sources = Sources();
        if (!Enum.IsDefined(query.State))
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.State, "Unknown task state.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, TaskQuery.MaxLimit, nameof(query));
        if (query.Handler is not null)
        {
            TaskIds.ValidateHandler(query.Handler, nameof(query));
        }

        if (query.IdPrefix is { Length: 0 })
        {
            throw new ArgumentException("The id prefix is empty: pass null for no filter.", nameof(query));
        }

        var after = TaskCursor.Parse(query.Cursor, query.State);
        var filtered = query.Handler is not null || query.IdPrefix is not null;
        var request = new TaskScanRequest(query.State, after, query.Limit, filtered ? query.Limit * TaskQuery.ScanFactor : query.Limit, query.Handler, query.IdPrefix);
        var scans = await Task.WhenAll(sources.Select(s => s.ScanTasksAsync(request, cancellationToken))).ConfigureAwait(false);

        // Dead letters are listed newest first: the listing's order is descending there.
        var sign = query.State == ScheduledTaskState.DeadLetter ? -1 : 1;
        int Order(TaskPosition x, TaskPosition y) => sign * TaskPosition.Compare(x, y);

        // Only what lies before the first place a partition stopped at is complete: later entries of the other
        // partitions could come after unseen entries of that one, so they wait for the next page.
        TaskPosition? bound = null;
        foreach (var scan in scans)
        {
            if (!scan.Exhausted && scan.LastSeen is { } seen && (bound is null || Order(seen, bound.Value) < 0))
            {
                bound = seen;
            }
        }

        var merged = scans
            .SelectMany((scan, partition) => scan.Items.Select(item => (Item: item, Partition: partition)))
            .Where(e => bound is null || Order(e.Item.Position, bound.Value) <= 0)
            .OrderBy(e => e.Item.Position, Comparer<TaskPosition>.Create(Order))
            .ToList();
        var page = merged.Take(query.Limit).ToList();
        TaskPosition? next = page.Count == query.Limit && (bound is not null || merged.Count > page.Count) ? page[^1].Item.Position : bound;
        return new TaskPage(
            [.. page.Select(e => TaskView.Details(e.Item, e.Partition).Summary)],
            next is { } position ? TaskCursor.Format(query.State, position) : null);
    }

    /// <inheritdoc />
    public async Task<TaskDetails?> GetTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        var sources = Sources();
        var partition = TaskPartitioner.PartitionOf(taskId, sources.Count);
        var record = await sources[partition].GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false);
        return record is null ? null : TaskView.Details(record, partition);
    }

    /// <inheritdoc />
    public async Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        var sources = Sources();
        var partition = TaskPartitioner.PartitionOf(taskId, sources.Count);
        var status = await sources[partition].RunNowAsync(taskId, cancellationToken).ConfigureAwait(false);

        // A write through this process: this process's claims look at the partition again at once.
        _router?.Touch(partition);
        return status;
    }

    /// <inheritdoc />
    public async Task<RecurringPage> ListRecurringAsync(string? cursor = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var sources = Sources();
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, TaskQuery.MaxLimit);
        var (partition, inner) = RecurringCursor.Parse(cursor, sources.Count);
        var items = new List<RecurringScheduleInfo>();
        while (partition < sources.Count && items.Count < limit)
        {
            var scan = await sources[partition].ScanRecurringAsync(inner, limit - items.Count, cancellationToken).ConfigureAwait(false);
            items.AddRange(scan.Items.Select(r => Describe(r, partition)));
            inner = scan.NextCursor;
            if (inner is null)
            {
                partition++;
            }
        }

        return new RecurringPage(items, partition < sources.Count ? RecurringCursor.Format(partition, inner) : null);
    }

    /// <inheritdoc />
    public async Task<string?> TriggerRecurringAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        RecurringTaskIds.Validate(scheduleId);
        var sources = Sources();
        var record = await sources[TaskPartitioner.PartitionOf(scheduleId, sources.Count)].GetRecurringAsync(scheduleId, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        RecurringDefinition definition;
        try
        {
            definition = RecurringDefinition.Read(record.Definition);
        }
        catch (Exception ex) when (ex is TaskEnvelopeException or ArgumentException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new InvalidOperationException($"The recurring schedule '{scheduleId}' cannot be read by this build: {ex.Message}", ex);
        }

        var taskId = scheduleId + "@manual-" + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return await _scheduler.ScheduleAsync(new GenericTask(definition.Handler, definition.Payload, taskId), TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task PauseHandlerAsync(string handler, CancellationToken cancellationToken = default)
    {
        TaskIds.ValidateHandler(handler);
        await FlowStore().PauseAsync(handler, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task ResumeHandlerAsync(string handler, CancellationToken cancellationToken = default)
    {
        TaskIds.ValidateHandler(handler);
        await FlowStore().ResumeAsync(handler, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<HandlerFlowInfo>> ListHandlersAsync(CancellationToken cancellationToken = default)
    {
        var states = await FlowStore().DescribeAsync(cancellationToken).ConfigureAwait(false);
        if (states.Count == 0)
        {
            return [];
        }

        // The waiting tasks of every listed handler, one script per partition, added up.
        var names = states.Select(s => s.Handler).ToArray();
        var counts = await Task.WhenAll(_partitions.Select(p => p.CountWaitingAsync(names, cancellationToken))).ConfigureAwait(false);
        return [.. states.Select((state, i) => Describe(state, counts.Sum(c => c[i])))];
    }

    /// <inheritdoc />
    public async Task<long> RequeueAllDeadLettersAsync(CancellationToken cancellationToken = default)
    {
        long requeued = 0;
        var kept = 0;

        // Each id is requeued once per call: a task that fails again at once is back at the head of the dead letters
        // before the next page is read, and requeueing it again would never end.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await _deadLetterStore.ListDeadLettersAsync(kept, RequeuePageSize, cancellationToken).ConfigureAwait(false);
            if (page.Items.Count == 0)
            {
                return requeued;
            }

            var ids = page.Items.Select(d => d.TaskId).Where(seen.Add).ToList();
            var results = await Task.WhenAll(ids.Select(id => _deadLetters.RequeueAsync(id, TimeSpan.Zero, cancellationToken))).ConfigureAwait(false);
            requeued += results.Count(r => r == DeadLetterRequeueResult.Requeued);

            // A dead letter whose id is scheduled again, or was requeued by this call already, stays where it is: the
            // next page starts after it.
            kept += results.Count(r => r == DeadLetterRequeueResult.AlreadyScheduled) + (page.Items.Count - ids.Count);
        }
    }

    private static RecurringScheduleInfo Describe(RecurringRecord record, int partition)
    {
        try
        {
            var definition = RecurringDefinition.Read(record.Definition);
            DateTimeOffset? next = record.PendingDueMilliseconds is { } due
                ? DateTimeOffset.FromUnixTimeMilliseconds(due)
                : record.WatermarkMilliseconds is { } watermark ? definition.Schedule.GetNextOccurrence(DateTimeOffset.FromUnixTimeMilliseconds(watermark)) : null;
            return new RecurringScheduleInfo(record.ScheduleId, definition.Handler, definition.Schedule, next, partition) { PendingTaskId = record.PendingTaskId };
        }
        catch (Exception ex) when (ex is TaskEnvelopeException or ArgumentException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return new RecurringScheduleInfo(record.ScheduleId, string.Empty, null, null, partition) { PendingTaskId = record.PendingTaskId, Error = ex.Message };
        }
    }

    private static HandlerFlowInfo Describe(FlowState state, long waiting)
    {
        var spec = state.Spec ?? new HandlerFlowSpec();
        return new HandlerFlowInfo(
            state.Handler,
            spec.MaxConcurrency,
            spec.MaxConcurrencyPerKey,
            spec.RateLimit,
            spec.RateLimit > 0 ? spec.RateLimitWindow : null,
            spec.Timeout,
            spec.Priority,
            state.IsPaused,
            state.SlotsInUse,
            state.StartsInWindow,
            waiting);
    }

    private IReadOnlyList<IOperationsSource> Sources() => _partitions.Count > 0 ? _partitions : throw NotSupported();

    private IFlowStore FlowStore() => _flow ?? throw new NotSupportedException(
        "The configured schedule store has no flow control, so handlers cannot be paused, resumed or listed: flow control " +
        "is available on the Redis store (UseRedis, Garnet), not on the in-memory store or a store passed to UseStore(...).");

    private static NotSupportedException NotSupported() =>
        new("The configured schedule store does not support the operations API: it is available on the Redis store (UseRedis, Garnet) and the in-memory store (UseInMemoryStore), not on a store passed to UseStore(...).");

    /// <summary>
    /// The text of a task listing's cursor: <c>{state letter}{score}:{id}</c> (p pending, f in flight, d dead letters,
    /// whose id is the letter's key: <see cref="DeadLetter.TaskIdOfKey"/>).
    /// </summary>
    private static class TaskCursor
    {
        public static string Format(ScheduledTaskState state, TaskPosition position) =>
            Letter(state) + position.Score.ToString(CultureInfo.InvariantCulture) + ":" + position.Id;

        public static TaskPosition? Parse(string? cursor, ScheduledTaskState state)
        {
            if (cursor is null)
            {
                return null;
            }

            var colon = cursor.IndexOf(':', StringComparison.Ordinal);
            if (colon < 2 || cursor[0] != Letter(state)
                || !long.TryParse(cursor.AsSpan(1, colon - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var score)
                || !(state == ScheduledTaskState.DeadLetter ? DeadLetter.IsKey(cursor[(colon + 1)..]) : TaskIds.IsValid(cursor[(colon + 1)..])))
            {
                throw new ArgumentException($"'{cursor}' is not a cursor of a {state} listing.", "query");
            }

            return new TaskPosition(score, cursor[(colon + 1)..]);
        }

        private static char Letter(ScheduledTaskState state) => state switch
        {
            ScheduledTaskState.Pending => 'p',
            ScheduledTaskState.InFlight => 'f',
            _ => 'd',
        };
    }

    /// <summary>The text of a recurring listing's cursor: <c>{partition}:{the partition's own cursor}</c>.</summary>
    private static class RecurringCursor
    {
        public static string Format(int partition, string? inner) => partition.ToString(CultureInfo.InvariantCulture) + ":" + inner;

        public static (int Partition, string? Inner) Parse(string? cursor, int partitions)
        {
            if (cursor is null)
            {
                return (0, null);
            }

            var colon = cursor.IndexOf(':', StringComparison.Ordinal);
            if (colon < 1 || !int.TryParse(cursor.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition) || partition >= partitions)
            {
                throw new ArgumentException($"'{cursor}' is not a cursor of the recurring listing.", nameof(cursor));
            }

            return (partition, colon == cursor.Length - 1 ? null : cursor[(colon + 1)..]);
        }
    }

}
