using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>Recurring schedules in memory, with the same rules as the Redis scripts <c>recurring_*.lua</c>.</summary>
internal sealed partial class InMemoryScheduleStore : IRecurringStore
{
    private readonly Dictionary<string, RecurringState> _recurring = new(StringComparer.Ordinal);
    private readonly ScoredSet _recurringDue = new();
    private readonly Dictionary<string, Successor> _recurringNext = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
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
            state.TraceContext = traceContext;
            state.Revision++;
            if (status == RecurringUpsertStatus.Created)
            {
                state.Watermark = Math.Max(state.Watermark, Now);
            }
            else if (state.PendingTaskId is { } p)
            {
                _recurringNext.Remove(p);
                if (_pending.Remove(p))
                {
                    // Never dispatched: cancel it and take its watermark back (see recurring_upsert.lua).
                    _tasks.Remove(p);
                    state.Watermark = state.PreviousWatermark;
                    state.PendingTaskId = null;
                }
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
            state.TraceContext = null;
            state.Revision++;
            _recurringDue.Remove(scheduleId);
            if (state.PendingTaskId is { } pendingId)
            {
                _recurringNext.Remove(pendingId);
            }

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
                    var latest = state.PendingTaskId is not { } p ? RecurringOccurrenceState.None
                        : !_pending.TryGetScore(p, out _) ? RecurringOccurrenceState.Gone
                        : _recurringNext.ContainsKey(p) ? RecurringOccurrenceState.Prepared
                        : RecurringOccurrenceState.Pending;
                    entries.Add(new RecurringDueEntry(id, state.Definition!, state.Watermark, state.Revision, latest, state.PendingTaskId) { TraceContext = state.TraceContext });
                }
            }

            return Task.FromResult(new RecurringDueBatch(now, entries, next));
        }
    }

    /// <inheritdoc />
    public Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var wake = false;
        RecurringAddStatus status;
        lock (_gate)
        {
            if (!_recurring.TryGetValue(request.ScheduleId, out var state) || state.Definition is null || state.Revision != request.Revision)
            {
                return Task.FromResult(RecurringAddStatus.Stale);
            }

            if (request.DeferFor is { } delay)
            {
                // Re-index only a schedule still due (see recurring_add.lua, ARGV[10] '2').
                if (!_recurringDue.TryGetScore(request.ScheduleId, out var due) || due > Now)
                {
                    return Task.FromResult(RecurringAddStatus.AlreadyAdded);
                }

                _recurringDue.Set(request.ScheduleId, Now + (long)delay.TotalMilliseconds);
                return Task.FromResult(RecurringAddStatus.Deferred);
            }

            if (request.OccurrenceMilliseconds is not { } t)
            {
                _recurringDue.Remove(request.ScheduleId);
                return Task.FromResult(RecurringAddStatus.Finished);
            }

            if (request.SuccessorOnly)
            {
                if (t != state.Watermark || state.PendingTaskId != request.TaskId || !_pending.TryGetScore(request.TaskId, out _))
                {
                    return Task.FromResult(RecurringAddStatus.AlreadyAdded);
                }

                status = RecurringAddStatus.SuccessorPrepared;
            }
            else if (t > state.Watermark)
            {
                wake = !_pending.TryPeek(out _, out var head) || t < head;
                _tasks[request.TaskId] = request.Envelope.ToArray();
                _pending.Set(request.TaskId, t);
                if (state.PendingTaskId is { } old)
                {
                    _recurringNext.Remove(old);
                }

                state.PreviousWatermark = state.Watermark;
                state.Watermark = t;
                state.PendingTaskId = request.TaskId;
                status = RecurringAddStatus.Added;
            }
            else
            {
                return Task.FromResult(RecurringAddStatus.AlreadyAdded);
            }

            var threshold = (long)request.MisfireThreshold.TotalMilliseconds;
            if (request.SuccessorMilliseconds is { } next)
            {
                _recurringNext[request.TaskId] = new Successor(request.ScheduleId, request.Revision, next, next + threshold, request.SuccessorEnvelope.ToArray());
            }

            _recurringDue.Set(request.ScheduleId, Math.Max(t, Now) + threshold);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(status);
    }

    /// <summary>
    /// When <paramref name="taskId"/>, just claimed, is a recurring occurrence with a prepared successor, adds the
    /// successor as its schedule's pending occurrence (the rules of <c>_chain.lua</c>). Called under the lock.
    /// </summary>
    /// <returns>Whether it had a successor record (its schedule then needs a look at once).</returns>
    private bool Chain(string taskId, long now)
    {
        if (!_recurringNext.Remove(taskId, out var next))
        {
            return false;
        }

        _recurringDue.Set(next.ScheduleId, 0);
        if (_recurring.TryGetValue(next.ScheduleId, out var state) && state.Revision == next.Revision && next.Time > state.Watermark && now <= next.Latest)
        {
            var id = RecurringTaskIds.For(next.ScheduleId, DateTimeOffset.FromUnixTimeMilliseconds(next.Time));
            _tasks[id] = next.Envelope;
            _pending.Set(id, next.Time);
            state.PreviousWatermark = state.Watermark;
            state.Watermark = next.Time;
            state.PendingTaskId = id;
        }

        return true;
    }

    private RecurringState State(string scheduleId)
    {
        if (!_recurring.TryGetValue(scheduleId, out var state))
        {
            _recurring[scheduleId] = state = new RecurringState();
        }

        return state;
    }

    private sealed record Successor(string ScheduleId, long Revision, long Time, long Latest, byte[] Envelope);

    private sealed class RecurringState
    {
        public byte[]? Definition { get; set; }

        public string? TraceContext { get; set; }

        public long Revision { get; set; }

        public long Watermark { get; set; }

        public long PreviousWatermark { get; set; }

        public string? PendingTaskId { get; set; }
    }
}
