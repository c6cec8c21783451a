using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>Dead letters in memory, with the same rules as the Redis scripts <c>deadletter*.lua</c>, <c>requeue.lua</c> and <c>purge.lua</c>.</summary>
public sealed partial class InMemoryScheduleStore
{
    /// <inheritdoc />
    public Task<bool> DeadLetterAsync(string taskId, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_inFlight.Remove(taskId))
            {
                return Task.FromResult(false);
            }

            _tasks.Remove(taskId);
            _reclaims.Remove(taskId);
            _dead.RemoveAll(d => d.Id == taskId);
            _dead.Add((taskId, record.ToArray()));
            return Task.FromResult(true);
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
