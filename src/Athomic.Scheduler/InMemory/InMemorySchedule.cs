using Athomic.Scheduler.Recurring;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// The state of one in-memory schedule, shared by its three stores (<see cref="InMemoryScheduleStore"/>,
/// <see cref="InMemoryRecurringStore"/>, <see cref="InMemoryDeadLetterStore"/>): one lock, the pending and in-flight
/// sets, envelopes, leases, held-back versions, dead letters and recurring schedules, and the few steps more than one
/// store takes (a task becomes pending, a held-back version is promoted, a claim chains a recurring successor, idle
/// workers are woken). Driven by a <see cref="TimeProvider"/>: with a fake clock, advancing time makes tasks fall due.
/// </summary>
/// <remarks>Every member but <see cref="Notify"/> and <see cref="Subscribe"/> is used under <see cref="Gate"/>.</remarks>
internal sealed class InMemorySchedule
{
    private readonly TimeProvider _time;
    private readonly List<Action> _subscribers = new();
    private long _fence;

    /// <summary>Creates the schedule.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemorySchedule(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The lock every operation of the three stores holds.</summary>
    public object Gate { get; } = new();

    /// <summary>Pending task ids by due time.</summary>
    public ScoredSet Pending { get; } = new();

    /// <summary>Claimed task ids by lease deadline.</summary>
    public ScoredSet InFlight { get; } = new();

    /// <summary>Task id → envelope, pending or in flight.</summary>
    public Dictionary<string, byte[]> Tasks { get; } = new(StringComparer.Ordinal);

    /// <summary>Task id → how many of its leases expired since a handler last finished it.</summary>
    public Dictionary<string, int> Reclaims { get; } = new(StringComparer.Ordinal);

    /// <summary>In-flight task id → fencing token of its current claim.</summary>
    public Dictionary<string, long> Leases { get; } = new(StringComparer.Ordinal);

    /// <summary>Claimed task id → the version scheduled while it ran (pending once the run ends).</summary>
    public Dictionary<string, (long Due, byte[] Envelope)> Deferred { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Dead letters, oldest first; a task dead-lettered more than once has one for each time (the calls by id see its
    /// newest, the last with its id).
    /// </summary>
    public List<(string Id, byte[] Record, long At)> Dead { get; } = new();

    /// <summary>Recurring schedule id → its definition and state.</summary>
    public Dictionary<string, RecurringState> Recurring { get; } = new(StringComparer.Ordinal);

    /// <summary>Recurring schedule id → when its next occurrence must be added.</summary>
    public ScoredSet RecurringDue { get; } = new();

    /// <summary>Pending occurrence task id → its prepared successor, added when the occurrence is claimed.</summary>
    public Dictionary<string, Successor> RecurringNext { get; } = new(StringComparer.Ordinal);

    /// <summary>The clock, in Unix milliseconds.</summary>
    public long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The next fencing token.</summary>
    public long NextFence() => ++_fence;

    /// <summary>Stores <paramref name="taskId"/> as pending after <paramref name="delay"/>.</summary>
    /// <returns>Whether it is the new head of the schedule (idle workers should wake).</returns>
    public bool SetPending(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay)
    {
        var due = Now + (long)delay.TotalMilliseconds;
        var wake = !Pending.TryPeek(out _, out var head) || due < head;
        Tasks[taskId] = envelope.ToArray();
        Pending.Set(taskId, due);
        return wake;
    }

    /// <summary>Makes the version held back behind a run pending (_deferred.lua).</summary>
    /// <returns>Whether it is the new head of the schedule (idle workers should wake).</returns>
    public bool PromoteDeferred(string taskId)
    {
        if (!Deferred.Remove(taskId, out var next))
        {
            return false;
        }

        var wake = !Pending.TryPeek(out _, out var head) || next.Due < head;
        Tasks[taskId] = next.Envelope;
        Pending.Set(taskId, next.Due);
        return wake;
    }

    /// <summary>
    /// When <paramref name="taskId"/>, just claimed, is a recurring occurrence with a prepared successor, adds the
    /// successor as its schedule's pending occurrence (the rules of <c>_chain.lua</c>).
    /// </summary>
    /// <returns>Whether it had a successor record (its schedule then needs a look at once).</returns>
    public bool Chain(string taskId, long now)
    {
        if (!RecurringNext.Remove(taskId, out var next))
        {
            return false;
        }

        RecurringDue.Set(next.ScheduleId, 0);
        if (Recurring.TryGetValue(next.ScheduleId, out var state) && state.Revision == next.Revision && next.Time > state.Watermark && now <= next.Latest)
        {
            var id = RecurringTaskIds.For(next.ScheduleId, DateTimeOffset.FromUnixTimeMilliseconds(next.Time));
            Tasks[id] = next.Envelope;
            Pending.Set(id, next.Time);
            state.PreviousWatermark = state.Watermark;
            state.Watermark = next.Time;
            state.PendingTaskId = id;
        }

        return true;
    }

    /// <summary>Calls <paramref name="onEarlierTask"/> on every <see cref="Notify"/> until the returned handle is disposed; not under the lock.</summary>
    public IAsyncDisposable Subscribe(Action onEarlierTask)
    {
        lock (_subscribers)
        {
            _subscribers.Add(onEarlierTask);
        }

        return new Unsubscriber(this, onEarlierTask);
    }

    /// <summary>Wakes the subscribers (a task became due sooner); not under the lock.</summary>
    public void Notify()
    {
        Action[] subscribers;
        lock (_subscribers)
        {
            subscribers = _subscribers.ToArray();
        }

        foreach (var subscriber in subscribers)
        {
            subscriber();
        }
    }

    /// <summary>A prepared successor of a pending recurring occurrence.</summary>
    public sealed record Successor(string ScheduleId, long Revision, long Time, long Latest, byte[] Envelope);

    /// <summary>A recurring schedule: its definition (<see langword="null"/> once removed), revision, watermarks and pending occurrence.</summary>
    public sealed class RecurringState
    {
        public byte[]? Definition { get; set; }

        /// <summary>The trace context of the call that stored the definition, or <see langword="null"/>.</summary>
        public string? TraceContext { get; set; }

        public long Revision { get; set; }

        public long Watermark { get; set; }

        public long PreviousWatermark { get; set; }

        public string? PendingTaskId { get; set; }
    }

    private sealed class Unsubscriber(InMemorySchedule schedule, Action action) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (schedule._subscribers)
            {
                schedule._subscribers.Remove(action);
            }

            return ValueTask.CompletedTask;
        }
    }
}
