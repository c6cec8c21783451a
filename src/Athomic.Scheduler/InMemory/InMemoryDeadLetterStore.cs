using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.InMemory;

/// <summary>
/// Dead letters in memory, with the same rules as the Redis scripts <c>deadletters.lua</c>, <c>requeue.lua</c> and
/// <c>purge.lua</c>; <see cref="InMemoryScheduleStore.DeadLetterAsync"/> adds them.
/// </summary>
/// <param name="schedule">The schedule's state, shared with its task and recurring stores.</param>
internal sealed class InMemoryDeadLetterStore(InMemorySchedule schedule) : IDeadLetterStore
{
    private readonly InMemorySchedule _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
        (await ListDeadLettersAsync(0, maxCount, cancellationToken).ConfigureAwait(false)).Items;

    /// <inheritdoc />
    public Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var items = _schedule.Dead.AsEnumerable().Reverse().Skip(offset).Take(count).Select(d => DeadLetter.DecodeOrRaw(d.Id, d.Record)).ToList();
            return Task.FromResult(new DeadLetterPage(items, _schedule.Dead.Count));
        }
    }

    /// <inheritdoc />
    public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var index = _schedule.Dead.FindLastIndex(d => d.Id == taskId);
            return Task.FromResult(index < 0 ? null : DeadLetter.DecodeOrRaw(taskId, _schedule.Dead[index].Record));
        }
    }

    /// <inheritdoc />
    public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        bool wake;
        lock (_schedule.Gate)
        {
            var index = _schedule.Dead.FindLastIndex(d => d.Id == taskId);
            if (index < 0)
            {
                return Task.FromResult(DeadLetterRequeueResult.NotFound);
            }

            if (_schedule.Tasks.ContainsKey(taskId))
            {
                return Task.FromResult(DeadLetterRequeueResult.AlreadyScheduled);
            }

            _schedule.Dead.RemoveAt(index);
            wake = _schedule.SetPending(taskId, envelope, delay);
        }

        if (wake)
        {
            _schedule.Notify();
        }

        return Task.FromResult(DeadLetterRequeueResult.Requeued);
    }

    /// <inheritdoc />
    public Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        lock (_schedule.Gate)
        {
            var before = _schedule.Dead.Count;
            if (taskIds is null)
            {
                _schedule.Dead.Clear();
            }
            else
            {
                var ids = taskIds.ToHashSet(StringComparer.Ordinal);
                _schedule.Dead.RemoveAll(d => ids.Contains(d.Id));
            }

            return Task.FromResult((long)(before - _schedule.Dead.Count));
        }
    }
}
