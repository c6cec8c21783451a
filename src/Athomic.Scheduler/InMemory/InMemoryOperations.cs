using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// The operations API's reads and actions on an in-memory schedule, with the same rules and orders as the Redis
/// scripts <c>ops_tasks.lua</c>, <c>ops_task.lua</c>, <c>ops_run_now.lua</c> and <c>ops_recurring.lua</c>.
/// Every in-flight task's owner is this process.
/// </summary>
/// <param name="schedule">The schedule's state, shared with its stores.</param>
internal sealed class InMemoryOperations(InMemorySchedule schedule) : IOperationsSource
{
    private readonly InMemorySchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc />
    public Task<TaskScan> ScanTasksAsync(TaskScanRequest request, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var items = new List<TaskRecord>();
            TaskPosition? last = null;
            var seen = 0;
            foreach (var record in Entries(request.State, request.After))
            {
                if (seen == request.Budget || items.Count == request.Limit)
                {
                    return Task.FromResult(new TaskScan(items, last, Exhausted: false));
                }

                seen++;
                last = record.Position;
                if (Matches(record, request))
                {
                    items.Add(record);
                }
            }

            return Task.FromResult(new TaskScan(items, last, Exhausted: true));
        }
    }

    /// <inheritdoc />
    public Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            TaskRecord? found = null;
            if (_schedule.Pending.TryGetScore(taskId, out var due))
            {
                found = Record(taskId, ScheduledTaskState.Pending, due);
            }
            else if (_schedule.InFlight.TryGetScore(taskId, out var deadline))
            {
                found = Record(taskId, ScheduledTaskState.InFlight, deadline);
            }
            else if (_schedule.Dead.FindLastIndex(d => d.Id == taskId) is var index and >= 0)
            {
                found = new TaskRecord(taskId, ScheduledTaskState.DeadLetter, _schedule.Dead[index].At, _schedule.Dead[index].Record);
            }

            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    public Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken)
    {
        var wake = false;
        RunNowStatus status;
        lock (_schedule.Gate)
        {
            var now = _schedule.Now;
            if (_schedule.Pending.TryGetScore(taskId, out var due))
            {
                if (due > now)
                {
                    wake = !_schedule.Pending.TryPeek(out _, out var head) || now < head;
                    _schedule.Pending.Set(taskId, now);
                }

                status = RunNowStatus.Due;
            }
            else
            {
                status = _schedule.InFlight.TryGetScore(taskId, out _) ? RunNowStatus.InFlight : RunNowStatus.NotFound;
            }
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(status);
    }

    /// <inheritdoc />
    public Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var ids = _schedule.Recurring.Where(r => r.Value.Definition is not null).Select(r => r.Key)
                .Where(id => cursor is null || TaskPosition.CompareIds(id, cursor) > 0)
                .ToList();
            ids.Sort(TaskPosition.CompareIds);
            var page = ids.Take(count).Select(Recurring).ToList();
            return Task.FromResult(new RecurringScan(page, ids.Count > count ? page[^1].ScheduleId : null));
        }
    }

    /// <inheritdoc />
    public Task<RecurringRecord?> GetRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var found = _schedule.Recurring.TryGetValue(scheduleId, out var state) && state.Definition is not null ? Recurring(scheduleId) : null;
            return Task.FromResult(found);
        }
    }

    /// <inheritdoc />
    /// <remarks>The in-memory store has no flow control: nothing waits.</remarks>
    public Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers, CancellationToken cancellationToken) =>
        Task.FromResult(new long[handlers.Count]);

    private RecurringRecord Recurring(string scheduleId)
    {
        var state = _schedule.Recurring[scheduleId];
        long? due = state.PendingTaskId is { } pending && _schedule.Pending.TryGetScore(pending, out var score) ? score : null;
        return new RecurringRecord(scheduleId, state.Definition ?? [], state.Watermark, due is null ? null : state.PendingTaskId, due);
    }

    private TaskRecord Record(string taskId, ScheduledTaskState state, long score) =>
        new(taskId, state, score, _schedule.Tasks.GetValueOrDefault(taskId) ?? [], state == ScheduledTaskState.InFlight ? LeaseOwnerName.Current : null);

    /// <summary>The entries of one state strictly after <paramref name="after"/>, in the listing's order.</summary>
    private IEnumerable<TaskRecord> Entries(ScheduledTaskState state, TaskPosition? after)
    {
        if (state == ScheduledTaskState.DeadLetter)
        {
            // Newest first: descending (time, key). Dead letters are few (trimmed by retention); sorted per call. A
            // task's newest dead letter has its id as key, its earlier ones "{id} #{n}" (n from 1, the oldest), as on Redis.
            var letters = _schedule.Dead.GroupBy(d => d.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var records = new List<TaskRecord>(_schedule.Dead.Count);
            foreach (var (id, record, at) in _schedule.Dead)
            {
                var n = seen[id] = seen.GetValueOrDefault(id) + 1;
                records.Add(new TaskRecord(id, state, at, record) { Key = n == letters[id] ? id : DeadLetter.EarlierKey(id, n) });
            }

            return records
                .Where(r => after is not { } a || TaskPosition.Compare(r.Position, a) < 0)
                .OrderByDescending(r => r.Position, Comparer<TaskPosition>.Create(TaskPosition.Compare));
        }

        var set = state == ScheduledTaskState.Pending ? _schedule.Pending : _schedule.InFlight;
        return set.From(after?.Score ?? long.MinValue)
            .Where(e => after is not { } a || TaskPosition.Compare(new TaskPosition(e.Score, e.Id), a) > 0)
            .Select(e => Record(e.Id, state, e.Score));
    }

    private static bool Matches(TaskRecord record, TaskScanRequest request)
    {
        if (request.IdPrefix is { } prefix && !record.TaskId.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return request.Handler is not { } handler || TaskView.HandlerOf(record) == handler;
    }
}
