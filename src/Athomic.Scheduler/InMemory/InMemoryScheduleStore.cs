using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// A schedule held in process memory with the same contract as the Redis store, driven by a
/// <see cref="TimeProvider"/>: with a fake clock, advancing time makes tasks fall due. For tests and demos;
/// nothing survives the process.
/// </summary>
internal sealed partial class InMemoryScheduleStore : IScheduleStore
{
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly ScoredSet _pending = new();
    private readonly ScoredSet _inFlight = new();
    private readonly Dictionary<string, byte[]> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _reclaims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Due, byte[] Envelope)> _deferred = new(StringComparer.Ordinal);
    private long _fence;
    private readonly List<(string Id, byte[] Record, long At)> _dead = new();
    private readonly List<Action> _subscribers = new();

    /// <summary>Creates the store.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InMemoryScheduleStore(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>How many dead letters are kept, and for how long.</summary>
    internal DeadLetterRetention Retention { get; init; } = DeadLetterRetention.Default;

    /// <inheritdoc />
    public Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
    {
        var statuses = new ScheduleStatus[items.Count];
        var wake = false;
        lock (_gate)
        {
            var now = Now;
            long? earliest = _pending.TryPeek(out _, out var head) ? head : null;
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var due = item.IsRelative ? now + item.DueMilliseconds : item.DueMilliseconds;
                var running = _leases.ContainsKey(item.TaskId);
                var exists = running || _tasks.ContainsKey(item.TaskId);
                if (exists && policy == ExistingTaskPolicy.Refuse)
                {
                    statuses[i] = ScheduleStatus.AlreadyExists;
                    continue;
                }

                if (running)
                {
                    // Held back until the run ends (schedule.lua): never beside it, never removed by its completion.
                    _deferred[item.TaskId] = (due, item.Envelope.ToArray());
                    statuses[i] = ScheduleStatus.RescheduledAfterRun;
                    continue;
                }

                _tasks[item.TaskId] = item.Envelope.ToArray();
                _pending.Set(item.TaskId, due);
                if (exists)
                {
                    _deferred.Remove(item.TaskId);
                    _reclaims.Remove(item.TaskId);
                }

                statuses[i] = exists ? ScheduleStatus.Rescheduled : ScheduleStatus.Scheduled;
                if (earliest is null || due < earliest)
                {
                    earliest = due;
                    wake = true;
                }
            }
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(statuses);
    }

    /// <inheritdoc />
    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_pending.Remove(taskId))
            {
                _tasks.Remove(taskId);
                _deferred.Remove(taskId);
                _reclaims.Remove(taskId);
                return Task.FromResult(true);
            }

            return Task.FromResult(_deferred.Remove(taskId));
        }
    }

    /// <inheritdoc />
    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            StoredTask? result = null;
            if (_tasks.TryGetValue(taskId, out var envelope))
            {
                if (_pending.TryGetScore(taskId, out var due))
                {
                    result = new StoredTask(taskId, envelope, ScheduledTaskState.Pending, due);
                }
                else if (_inFlight.TryGetScore(taskId, out var deadline))
                {
                    result = new StoredTask(taskId, envelope, ScheduledTaskState.InFlight, deadline);
                }
            }

            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = Now;
            var deadline = now + (long)lease.TotalMilliseconds;
            var claimed = new List<ClaimedEntry>();
            while (claimed.Count < maxCount && _inFlight.TryPeek(out var id, out var expiry) && expiry <= now)
            {
                _inFlight.Set(id, deadline);
                var expired = _reclaims[id] = _reclaims.GetValueOrDefault(id) + 1;
                claimed.Add(new ClaimedEntry(id, _tasks.GetValueOrDefault(id) ?? [], expiry, Reclaimed: true, expired, _leases[id] = ++_fence));
            }

            var reclaimed = claimed.Count;
            while (claimed.Count < maxCount && _pending.TryPeek(out var id, out var due) && due <= now)
            {
                _pending.Remove(id);
                _inFlight.Set(id, deadline);
                claimed.Add(new ClaimedEntry(id, _tasks.GetValueOrDefault(id) ?? [], due, Reclaimed: false, Token: _leases[id] = ++_fence));
            }

            var recurring = 0;
            for (var i = reclaimed; i < claimed.Count; i++)
            {
                recurring += Chain(claimed[i].TaskId, now) ? 1 : 0;
            }

            long? next = null;
            if (_pending.TryPeek(out _, out var nextDue))
            {
                next = nextDue;
            }

            if (_inFlight.TryPeek(out _, out var nextExpiry) && (next is null || nextExpiry < next))
            {
                next = nextExpiry;
            }

            TimeSpan? nextIn = next is null ? null : TimeSpan.FromMilliseconds(Math.Max(0, next.Value - now));
            return Task.FromResult(new ClaimBatch(claimed, nextIn, now, recurring));
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        var lost = new List<TaskClaim>();
        lock (_gate)
        {
            var deadline = Now + (long)lease.TotalMilliseconds;
            foreach (var claim in claims)
            {
                if (IsCurrent(claim))
                {
                    _inFlight.Set(claim.TaskId, deadline);
                }
                else
                {
                    lost.Add(claim);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<TaskClaim>>(lost);
    }

    /// <inheritdoc />
    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            _tasks.Remove(claim.TaskId);
            wake = PromoteDeferred(claim.TaskId);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            // A version scheduled while it ran replaces the retry (retry.lua).
            wake = _deferred.ContainsKey(claim.TaskId) ? PromoteDeferred(claim.TaskId) : SetPending(claim.TaskId, envelope, delay);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken)
    {
        var released = 0;
        lock (_gate)
        {
            var now = Now;
            foreach (var claim in claims)
            {
                if (IsCurrent(claim))
                {
                    _leases.Remove(claim.TaskId);
                    _inFlight.Remove(claim.TaskId);
                    _pending.Set(claim.TaskId, now);
                    released++;
                }
            }
        }

        if (released > 0)
        {
            Notify();
        }

        return Task.FromResult(released);
    }

    /// <summary>Whether <paramref name="claim"/> is the current claim of its task; under the lock.</summary>
    private bool IsCurrent(TaskClaim claim) => _leases.TryGetValue(claim.TaskId, out var token) && token == claim.Token;

    /// <summary>Ends a current claim (lease, in-flight entry, expired-lease count); under the lock.</summary>
    /// <returns><see langword="false"/> when the claim is not current (nothing changed).</returns>
    private bool EndClaim(TaskClaim claim)
    {
        if (!IsCurrent(claim))
        {
            return false;
        }

        _leases.Remove(claim.TaskId);
        _inFlight.Remove(claim.TaskId);
        _reclaims.Remove(claim.TaskId);
        return true;
    }

    /// <summary>Makes the version held back behind a run pending (_deferred.lua); under the lock.</summary>
    /// <returns>Whether it is the new head of the schedule (idle workers should wake).</returns>
    private bool PromoteDeferred(string taskId)
    {
        if (!_deferred.Remove(taskId, out var next))
        {
            return false;
        }

        var wake = !_pending.TryPeek(out _, out var head) || next.Due < head;
        _tasks[taskId] = next.Envelope;
        _pending.Set(taskId, next.Due);
        return wake;
    }

    /// <inheritdoc />
    public Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken)
    {
        lock (_subscribers)
        {
            _subscribers.Add(onEarlierTask);
        }

        return Task.FromResult<IAsyncDisposable>(new Unsubscriber(this, onEarlierTask));
    }

    /// <summary>Stores <paramref name="taskId"/> as pending after <paramref name="delay"/>; under the lock.</summary>
    /// <returns>Whether it is the new head of the schedule (idle workers should wake).</returns>
    private bool SetPending(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay)
    {
        var due = Now + (long)delay.TotalMilliseconds;
        var wake = !_pending.TryPeek(out _, out var head) || due < head;
        _tasks[taskId] = envelope.ToArray();
        _pending.Set(taskId, due);
        return wake;
    }

    private void Notify()
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

    private sealed class Unsubscriber(InMemoryScheduleStore store, Action action) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (store._subscribers)
            {
                store._subscribers.Remove(action);
            }

            return ValueTask.CompletedTask;
        }
    }
}
