using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.InMemory;

/// <summary>Dead letters in memory, with the same rules as the Redis scripts <c>deadletter*.lua</c>, <c>requeue.lua</c> and <c>purge.lua</c>.</summary>
internal sealed partial class InMemoryScheduleStore
{
    /// <inheritdoc />
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_gate)
        {
            if (!EndClaim(claim))
            {
                return Task.FromResult(false);
            }

            var taskId = claim.TaskId;
            var now = Now;
            _tasks.Remove(taskId);
            _dead.RemoveAll(d => d.Id == taskId);
            _dead.Add((taskId, record.ToArray(), now));
            wake = PromoteDeferred(taskId);
            TrimDead(now);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(true);
    }

    /// <summary>Removes dead letters beyond the retention, oldest first, at most 100 per call (_dead_trim.lua); under the lock.</summary>
    private void TrimDead(long now)
    {
        var budget = 100;
        if (Retention.MaxAge > TimeSpan.Zero)
        {
            var cutoff = now - Retention.MaxAgeMilliseconds;
            var old = 0;
            while (old < _dead.Count && old < budget && _dead[old].At < cutoff)
            {
                old++;
            }

            _dead.RemoveRange(0, old);
            budget -= old;
        }

        if (Retention.MaxCount > 0 && budget > 0)
        {
            _dead.RemoveRange(0, Math.Min(budget, Math.Max(0, _dead.Count - Retention.MaxCount)));
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
        (await ListDeadLettersAsync(0, maxCount, cancellationToken).ConfigureAwait(false)).Items;

    /// <inheritdoc />
    public Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var items = _dead.AsEnumerable().Reverse().Skip(offset).Take(count).Select(d => DeadLetter.DecodeOrRaw(d.Id, d.Record)).ToList();
            return Task.FromResult(new DeadLetterPage(items, _dead.Count));
        }
    }

    /// <inheritdoc />
    public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _dead.FindIndex(d => d.Id == taskId);
            return Task.FromResult(index < 0 ? null : DeadLetter.DecodeOrRaw(taskId, _dead[index].Record));
        }
    }

    /// <inheritdoc />
    public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_gate)
        {
            var index = _dead.FindIndex(d => d.Id == taskId);
            if (index < 0)
            {
                return Task.FromResult(DeadLetterRequeueResult.NotFound);
            }

            if (_tasks.ContainsKey(taskId))
            {
                return Task.FromResult(DeadLetterRequeueResult.AlreadyScheduled);
            }

            _dead.RemoveAt(index);
            wake = SetPending(taskId, envelope, delay);
        }

        if (wake)
        {
            Notify();
        }

        return Task.FromResult(DeadLetterRequeueResult.Requeued);
    }

    /// <inheritdoc />
    public Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var before = _dead.Count;
            if (taskIds is null)
            {
                _dead.Clear();
            }
            else
            {
                var ids = taskIds.ToHashSet(StringComparer.Ordinal);
                _dead.RemoveAll(d => ids.Contains(d.Id));
            }

            return Task.FromResult((long)(before - _dead.Count));
        }
    }
}
