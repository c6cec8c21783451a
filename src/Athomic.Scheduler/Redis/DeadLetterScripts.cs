using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>The dead-letter scripts of one schedule or partition, one method each: list, requeue, purge (see <see cref="TaskScripts"/>).</summary>
internal sealed class DeadLetterScripts
{
    private static readonly EmbeddedScript List = EmbeddedScript.Load("deadletters");
    private static readonly EmbeddedScript Requeue = EmbeddedScript.Load("requeue");
    private static readonly EmbeddedScript Purge = EmbeddedScript.Load("purge");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _deadKeys;
    private readonly RedisKey[] _requeueKeys;

    /// <summary>Binds the scripts to a partition's keys.</summary>
    public DeadLetterScripts(IConnectionMultiplexer connection, RedisKeys keys)
    {
        _connection = connection;
        _keys = keys;
        _deadKeys = [keys.Dead, keys.DeadIndex];
        _requeueKeys = [keys.Pending, keys.Tasks, keys.Dead, keys.DeadIndex, keys.Queued];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary><c>deadletters.lua</c>: <paramref name="count"/> dead letters from <paramref name="offset"/> on, newest first, and how many there are.</summary>
    public Task<DeadLetterPage> ListAsync(int offset, int count) => List.RunAsync(Db, _deadKeys, [offset, count], DeadLettersReply.Read);

    /// <summary><c>requeue.lua</c>: schedules a dead letter's task again with <paramref name="envelope"/> after <paramref name="delay"/>.</summary>
    public Task<DeadLetterRequeueResult> RequeueAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay) =>
        Requeue.RunAsync(Db, _requeueKeys, [_keys.WakeChannelName, taskId, envelope, (long)delay.TotalMilliseconds], Scalar.Status<DeadLetterRequeueResult>);

    /// <summary><c>purge.lua</c>: removes the dead letters of <paramref name="taskIds"/> (<see langword="null"/>: all); returns how many.</summary>
    public Task<long> PurgeAsync(IReadOnlyCollection<string>? taskIds) =>
        Purge.RunAsync(Db, _deadKeys, taskIds is null ? [] : [.. taskIds.Select(id => (RedisValue)id)], Scalar.Count);
}
