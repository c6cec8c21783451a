using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Dead letters on Redis: <c>{prefix}:dead</c> (records) and <c>:dead:index</c> (by time), written by
/// <see cref="RedisScheduleStore.DeadLetterAsync"/>; a requeue schedules the task again in the same script. Every dead
/// letter is kept: a task's newest under its id (what the calls by id see), its earlier ones under keys of their own
/// (<c>Redis/Scripts/_dead.lua</c>).
/// </summary>
/// <param name="redis">The schedule's connection and keys, shared with its task and recurring stores.</param>
internal sealed class RedisDeadLetterStore(RedisSchedule redis) : IDeadLetterStore
{
    private readonly DeadLetterScripts _scripts = new(redis.Connection, redis.Keys);

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
        (await ListDeadLettersAsync(0, maxCount, cancellationToken).ConfigureAwait(false)).Items;

    /// <inheritdoc />
    public Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken) => _scripts.ListAsync(offset, count);

    /// <inheritdoc />
    public async Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken)
    {
        var record = await Call(redis.Db.HashGetAsync(redis.Keys.Dead, taskId)).ConfigureAwait(false);
        return record.IsNull ? null : DeadLetter.DecodeOrRaw(taskId, (byte[])record!);
    }

    /// <inheritdoc />
    public async Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var requeued = await _scripts.RequeueAsync(taskId, envelope, delay).ConfigureAwait(false);
        if (requeued == DeadLetterRequeueResult.Requeued)
        {
            await redis.ConfirmWritesAsync().ConfigureAwait(false);
        }

        return requeued;
    }

    /// <inheritdoc />
    public async Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        if (taskIds is { Count: 0 })
        {
            return 0;
        }

        return await _scripts.PurgeAsync(taskIds).ConfigureAwait(false);
    }
}
