using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Dead letters on Redis: <c>{prefix}:dead</c> (records) and <c>:dead:index</c> (by time), written by
/// <see cref="RedisScheduleStore.DeadLetterAsync"/>; a requeue schedules the task again in the same script.
/// </summary>
/// <param name="connection">The Redis connection.</param>
/// <param name="keyPrefix">The key prefix; it becomes the hash tag <c>{keyPrefix}</c> of every key.</param>
internal sealed class RedisDeadLetterStore(IConnectionMultiplexer connection, string keyPrefix) : IDeadLetterStore
{
    private readonly RedisKeys _keys = new(keyPrefix);

    private IDatabase Db => connection.GetDatabase();

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
        (await ListDeadLettersAsync(0, maxCount, cancellationToken).ConfigureAwait(false)).Items;

    /// <inheritdoc />
    public async Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.DeadLetters, [_keys.Dead, _keys.DeadIndex], [offset, count])).ConfigureAwait(false);
        return DeadLettersReply.Read(result);
    }

    /// <inheritdoc />
    public async Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken)
    {
        var record = await Call(Db.HashGetAsync(_keys.Dead, taskId)).ConfigureAwait(false);
        return record.IsNull ? null : DeadLetter.DecodeOrRaw(taskId, (byte[])record!);
    }

    /// <inheritdoc />
    public async Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Requeue,
            [_keys.Pending, _keys.Tasks, _keys.Dead, _keys.DeadIndex, _keys.Queued],
            [_keys.WakeChannelName, taskId, envelope, (long)delay.TotalMilliseconds])).ConfigureAwait(false);
        return (DeadLetterRequeueResult)(int)result;
    }

    /// <inheritdoc />
    public async Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        if (taskIds is { Count: 0 })
        {
            return 0;
        }

        var args = taskIds is null ? [] : taskIds.Select(id => (RedisValue)id).ToArray();
        return (long)await Call(Db.ScriptEvaluateAsync(LuaScripts.Purge, [_keys.Dead, _keys.DeadIndex], args)).ConfigureAwait(false);
    }
}
