using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// The task lifecycle of a schedule held in process memory, with the same contract as the Redis store, over an
/// <see cref="InMemorySchedule"/> it shares with its recurring and dead-letter stores (<see cref="InMemoryStores.Create"/>
/// makes the three). For tests and demos; nothing survives the process.
/// </summary>
internal sealed class InMemoryScheduleStore : IScheduleStore
{
    private readonly InMemorySchedule _schedule;

    /// <summary>Creates the store.</summary>
    /// <param name="schedule">The schedule's state, shared with its recurring and dead-letter stores.</param>
    public InMemoryScheduleStore(InMemorySchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        _schedule = schedule;
    }

    /// <summary>How many dead letters are kept, and for how long.</summary>
    internal DeadLetterRetention Retention { get; init; } = DeadLetterRetention.Default;

    /// <inheritdoc />
    public Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
    {
        var statuses = new ScheduleStatus[items.Count];
        var wake = false;
        lock (_schedule.Gate)
        {
            var now = _schedule.Now;
            long? earliest = _schedule.Pending.TryPeek(out _, out var head) ? head : null;
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var due = item.IsRelative ? now + item.DueMilliseconds : item.DueMilliseconds;
                var running = _schedule.Leases.ContainsKey(item.TaskId);
                var exists = running || _schedule.Tasks.ContainsKey(item.TaskId);
                if (exists && policy == ExistingTaskPolicy.Refuse)
                {
                    statuses[i] = ScheduleStatus.AlreadyExists;
                    continue;
                }

                if (running)
                {
                    // Held back until the run ends (schedule.lua): never beside it, never removed by its completion.
                    _schedule.Deferred[item.TaskId] = (due, item.Envelope.ToArray());
                    statuses[i] = ScheduleStatus.RescheduledAfterRun;
                    continue;
                }

                _schedule.Tasks[item.TaskId] = item.Envelope.ToArray();
                _schedule.Pending.Set(item.TaskId, due);
                if (exists)
                {
                    _schedule.Deferred.Remove(item.TaskId);
                    _schedule.Reclaims.Remove(item.TaskId);
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
            _schedule.Notify();
        }

        return Task.FromResult(statuses);
    }

    /// <inheritdoc />
    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            if (_schedule.Pending.Remove(taskId))
            {
                _schedule.Tasks.Remove(taskId);
                _schedule.Deferred.Remove(taskId);
                _schedule.Reclaims.Remove(taskId);
                return Task.FromResult(true);
            }

            return Task.FromResult(_schedule.Deferred.Remove(taskId));
        }
    }

    /// <inheritdoc />
    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            StoredTask? result = null;
            if (_schedule.Tasks.TryGetValue(taskId, out var envelope))
            {
                if (_schedule.Pending.TryGetScore(taskId, out var due))
                {
                    result = new StoredTask(taskId, envelope, ScheduledTaskState.Pending, due);
                }
                else if (_schedule.InFlight.TryGetScore(taskId, out var deadline))
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
        lock (_schedule.Gate)
        {
            var now = _schedule.Now;
            var deadline = now + (long)lease.TotalMilliseconds;
            var claimed = new List<ClaimedEntry>();
            while (claimed.Count < maxCount && _schedule.InFlight.TryPeek(out var id, out var expiry) && expiry <= now)
            {
                _schedule.InFlight.Set(id, deadline);
                var expired = _schedule.Reclaims[id] = _schedule.Reclaims.GetValueOrDefault(id) + 1;
                claimed.Add(new ClaimedEntry(id, _schedule.Tasks.GetValueOrDefault(id) ?? [], expiry, Reclaimed: true, expired, _schedule.Leases[id] = _schedule.NextFence()));
            }

            var reclaimed = claimed.Count;
            while (claimed.Count < maxCount && _schedule.Pending.TryPeek(out var id, out var due) && due <= now)
            {
                _schedule.Pending.Remove(id);
                _schedule.InFlight.Set(id, deadline);
                claimed.Add(new ClaimedEntry(id, _schedule.Tasks.GetValueOrDefault(id) ?? [], due, Reclaimed: false, Token: _schedule.Leases[id] = _schedule.NextFence()));
            }

            var recurring = 0;
            for (var i = reclaimed; i < claimed.Count; i++)
            {
                recurring += _schedule.Chain(claimed[i].TaskId, now) ? 1 : 0;
            }

            // The workers' polls trim the dead letters too, so they go where nothing is dead-lettered any more (claim.lua).
            TrimDead(now);

            long? next = null;
            if (_schedule.Pending.TryPeek(out _, out var nextDue))
            {
                next = nextDue;
            }

            if (_schedule.InFlight.TryPeek(out _, out var nextExpiry) && (next is null || nextExpiry < next))
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
        lock (_schedule.Gate)
        {
            var deadline = _schedule.Now + (long)lease.TotalMilliseconds;
            foreach (var claim in claims)
            {
                if (IsCurrent(claim))
                {
                    _schedule.InFlight.Set(claim.TaskId, deadline);
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
        lock (_schedule.Gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            _schedule.Tasks.Remove(claim.TaskId);
            wake = _schedule.PromoteDeferred(claim.TaskId);
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_schedule.Gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            // A version scheduled while it ran replaces the retry (retry.lua).
            wake = _schedule.Deferred.ContainsKey(claim.TaskId) ? _schedule.PromoteDeferred(claim.TaskId) : _schedule.SetPending(claim.TaskId, envelope, delay);
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken)
    {
        var released = 0;
        lock (_schedule.Gate)
        {
            var now = _schedule.Now;
            foreach (var claim in claims)
            {
                if (IsCurrent(claim))
                {
                    _schedule.Leases.Remove(claim.TaskId);
                    _schedule.InFlight.Remove(claim.TaskId);
                    _schedule.Pending.Set(claim.TaskId, now);
                    released++;
                }
            }
        }

        if (released > 0)
        {
            _schedule.Notify();
        }

        return Task.FromResult(released);
    }

    /// <summary>Whether <paramref name="claim"/> is the current claim of its task; under the lock.</summary>
    private bool IsCurrent(TaskClaim claim) => _schedule.Leases.TryGetValue(claim.TaskId, out var token) && token == claim.Token;

    /// <summary>Ends a current claim (lease, in-flight entry, expired-lease count); under the lock.</summary>
    /// <returns><see langword="false"/> when the claim is not current (nothing changed).</returns>
    private bool EndClaim(TaskClaim claim)
    {
        if (!IsCurrent(claim))
        {
            return false;
        }

        _schedule.Leases.Remove(claim.TaskId);
        _schedule.InFlight.Remove(claim.TaskId);
        _schedule.Reclaims.Remove(claim.TaskId);
        return true;
    }

    /// <inheritdoc />
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_schedule.Gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            var taskId = claim.TaskId;
            var now = _schedule.Now;
            _schedule.Tasks.Remove(taskId);
            _schedule.Dead.Add((taskId, record.ToArray(), now)); // an earlier dead letter of the task is kept
            wake = _schedule.PromoteDeferred(taskId);
            TrimDead(now);
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(true);
    }

    /// <summary>Removes dead letters beyond the retention, oldest first, at most 100 per call (_dead.lua); under the lock.</summary>
    private void TrimDead(long now)
    {
        var budget = 100;
        if (Retention.MaxAge > TimeSpan.Zero)
        {
            var cutoff = now - Retention.MaxAgeMilliseconds;
            var old = 0;
            while (old < _schedule.Dead.Count && old < budget && _schedule.Dead[old].At < cutoff)
            {
                old++;
            }

            _schedule.Dead.RemoveRange(0, old);
            budget -= old;
        }

        if (Retention.MaxCount > 0 && budget > 0)
        {
            _schedule.Dead.RemoveRange(0, Math.Min(budget, Math.Max(0, _schedule.Dead.Count - Retention.MaxCount)));
        }
    }

    /// <inheritdoc />
    public Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken) =>
        Task.FromResult(_schedule.Subscribe(onEarlierTask));
}
