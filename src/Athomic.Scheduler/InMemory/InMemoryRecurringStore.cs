using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Recurring;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// Recurring schedules in memory, with the same rules as the Redis scripts <c>recurring_*.lua</c>; the claim that
/// dispatches an occurrence adds its prepared successor (<see cref="InMemorySchedule.Chain"/>).
/// </summary>
/// <param name="schedule">The schedule's state, shared with its task and dead-letter stores.</param>
internal sealed class InMemoryRecurringStore(InMemorySchedule schedule) : IRecurringStore
{
    private readonly InMemorySchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc />
    public Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        RecurringUpsertStatus status;
        lock (_schedule.Gate)
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
                state.Watermark = Math.Max(state.Watermark, _schedule.Now);
            }
            else if (state.PendingTaskId is { } p)
            {
                _schedule.RecurringNext.Remove(p);
                if (_schedule.Pending.Remove(p))
                {
                    // Never dispatched: cancel it and take its watermark back (see recurring_upsert.lua).
                    _schedule.Tasks.Remove(p);
                    state.Watermark = state.PreviousWatermark;
                    state.PendingTaskId = null;
                }
            }

            _schedule.RecurringDue.Set(scheduleId, 0);
        }

        _schedule.Notify();
        return Task.FromResult(status);
    }

    /// <inheritdoc />
    public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            if (!_schedule.Recurring.TryGetValue(scheduleId, out var state) || state.Definition is null)
            {
                return Task.FromResult(false);
            }

            state.Definition = null;
            state.TraceContext = null;
            state.Revision++;
            _schedule.RecurringDue.Remove(scheduleId);
            if (state.PendingTaskId is { } pendingId)
            {
                _schedule.RecurringNext.Remove(pendingId);
            }

            if (state.PendingTaskId is { } p && _schedule.Pending.Remove(p))
            {
                // Never dispatched: take its watermark back (see recurring_remove.lua).
                _schedule.Tasks.Remove(p);
                state.Watermark = state.PreviousWatermark;
            }

            var previous = RecurringTaskIds.For(scheduleId, DateTimeOffset.FromUnixTimeMilliseconds(state.PreviousWatermark));
            if (_schedule.Pending.Remove(previous))
            {
                _schedule.Tasks.Remove(previous);
            }

            state.PendingTaskId = null;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var now = _schedule.Now;
            var entries = new List<RecurringDueEntry>();
            long? next = null;
            foreach (var (id, score) in _schedule.RecurringDue.Lowest(int.MaxValue))
            {
                if (score > now)
                {
                    next = score;
                    break;
                }

                if (entries.Count < maxCount)
                {
                    var state = _schedule.Recurring[id];
                    var latest = state.PendingTaskId is not { } p ? RecurringOccurrenceState.None
                        : !_schedule.Pending.TryGetScore(p, out _) ? RecurringOccurrenceState.Gone
                        : _schedule.RecurringNext.ContainsKey(p) ? RecurringOccurrenceState.Prepared
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
        lock (_schedule.Gate)
        {
            if (!_schedule.Recurring.TryGetValue(request.ScheduleId, out var state) || state.Definition is null || state.Revision != request.Revision)
            {
                return Task.FromResult(RecurringAddStatus.Stale);
            }

            if (request.DeferFor is { } delay)
            {
                // Re-index only a schedule still due (see recurring_add.lua, ARGV[10] '2').
                if (!_schedule.RecurringDue.TryGetScore(request.ScheduleId, out var due) || due > _schedule.Now)
                {
                    return Task.FromResult(RecurringAddStatus.AlreadyAdded);
                }

                _schedule.RecurringDue.Set(request.ScheduleId, _schedule.Now + (long)delay.TotalMilliseconds);
                return Task.FromResult(RecurringAddStatus.Deferred);
            }

            if (request.OccurrenceMilliseconds is not { } t)
            {
                _schedule.RecurringDue.Remove(request.ScheduleId);
                return Task.FromResult(RecurringAddStatus.Finished);
            }

            if (request.SuccessorOnly)
            {
                if (t != state.Watermark || state.PendingTaskId != request.TaskId || !_schedule.Pending.TryGetScore(request.TaskId, out _))
                {
                    return Task.FromResult(RecurringAddStatus.AlreadyAdded);
                }

                status = RecurringAddStatus.SuccessorPrepared;
            }
            else if (t > state.Watermark)
            {
                wake = !_schedule.Pending.TryPeek(out _, out var head) || t < head;
                _schedule.Tasks[request.TaskId] = request.Envelope.ToArray();
                _schedule.Pending.Set(request.TaskId, t);
                if (state.PendingTaskId is { } old)
                {
                    _schedule.RecurringNext.Remove(old);
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
                _schedule.RecurringNext[request.TaskId] = new InMemorySchedule.Successor(request.ScheduleId, request.Revision, next, next + threshold, request.SuccessorEnvelope.ToArray());
            }

            _schedule.RecurringDue.Set(request.ScheduleId, Math.Max(t, _schedule.Now) + threshold);
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(status);
    }

    private InMemorySchedule.RecurringState State(string scheduleId)
    {
        if (!_schedule.Recurring.TryGetValue(scheduleId, out var state))
        {
            _schedule.Recurring[scheduleId] = state = new InMemorySchedule.RecurringState();
        }

        return state;
    }
}
