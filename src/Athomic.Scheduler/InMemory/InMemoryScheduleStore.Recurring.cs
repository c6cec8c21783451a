using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>Recurring schedules in memory, with the same rules as the Redis scripts <c>recurring_*.lua</c>.</summary>
public sealed partial class InMemoryScheduleStore : IRecurringStore
{
    private readonly Dictionary<string, RecurringState> _recurring = new(StringComparer.Ordinal);
    private readonly ScoredSet _recurringDue = new();

    /// <inheritdoc />
    public Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, CancellationToken cancellationToken)
    {
        RecurringUpsertStatus status;
        lock (_gate)
        {
            var state = State(scheduleId);
            if (state.Definition is { } current && current.AsSpan().SequenceEqual(definition.Span))
            {
                return Task.FromResult(RecurringUpsertStatus.Unchanged);
            }

            status = state.Definition is null ? RecurringUpsertStatus.Created : RecurringUpsertStatus.Updated;
            state.Definition = definition.ToArray();
            state.Revision++;
            if (status == RecurringUpsertStatus.Created)
            {
                state.Watermark = Math.Max(state.Watermark, Now);
            }
            else if (state.PendingTaskId is { } p && _pending.Remove(p))
            {
                // Never dispatched: cancel it and take its watermark back (see recurring_upsert.lua).
                _tasks.Remove(p);
                state.Watermark = state.PreviousWatermark;
                state.PendingTaskId = null;
            }

            _recurringDue.Set(scheduleId, 0);
        }

        Notify();
        return Task.FromResult(status);
    }

    /// <inheritdoc />
    public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_recurring.TryGetValue(scheduleId, out var state) || state.Definition is null)
            {
                return Task.FromResult(false);
            }

            state.Definition = null;
            state.Revision++;
            _recurringDue.Remove(scheduleId);
            if (state.PendingTaskId is { } p && _pending.Remove(p))
            {
                // Never dispatched: take its watermark back (see recurring_remove.lua).
                _tasks.Remove(p);
                state.Watermark = state.PreviousWatermark;
            }

            var previous = RecurringTaskIds.For(scheduleId, DateTimeOffset.FromUnixTimeMilliseconds(state.PreviousWatermark));
            if (_pending.Remove(previous))
            {
                _tasks.Remove(previous);
            }

            state.PendingTaskId = null;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = Now;
            var entries = new List<RecurringDueEntry>();
            long? next = null;
            foreach (var (id, score) in _recurringDue.Lowest(int.MaxValue))
            {
                if (score > now)
                {
                    next = score;
                    break;
                }

                if (entries.Count < maxCount)
                {
                    var state = _recurring[id];
                    entries.Add(new RecurringDueEntry(id, state.Definition!, state.Watermark, state.Revision));
                }
            }

            return Task.FromResult(new RecurringDueBatch(now, entries, next));
        }
    }

    /// <inheritdoc />
    public Task<RecurringAddStatus> AddOccurrenceAsync(string scheduleId, long revision, long? occurrenceMilliseconds, string taskId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_gate)
        {
            if (!_recurring.TryGetValue(scheduleId, out var state) || state.Definition is null || state.Revision != revision)
            {
                return Task.FromResult(RecurringAddStatus.Stale);
            }

            if (occurrenceMilliseconds is not { } t)
            {
                _recurringDue.Remove(scheduleId);
                return Task.FromResult(RecurringAddStatus.Finished);
            }

            if (t <= state.Watermark)
            {
                return Task.FromResult(RecurringAddStatus.AlreadyAdded);
            }

            wake = !_pending.TryPeek(out _, out var head) || t < head;
            _tasks[taskId] = envelope.ToArray();
            _pending.Set(taskId, t);
            state.PreviousWatermark = state.Watermark;
            state.Watermark = t;
            state.PendingTaskId = taskId;
            _recurringDue.Set(scheduleId, t);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(RecurringAddStatus.Added);
    }

    private RecurringState State(string scheduleId)
    {
        if (!_recurring.TryGetValue(scheduleId, out var state))
        {
            _recurring[scheduleId] = state = new RecurringState();
        }

        return state;
    }

    private sealed class RecurringState
    {
        public byte[]? Definition { get; set; }

        public long Revision { get; set; }

        public long Watermark { get; set; }

        public long PreviousWatermark { get; set; }

        public string? PendingTaskId { get; set; }
    }
}
