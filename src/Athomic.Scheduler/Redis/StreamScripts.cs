using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The streams broker's scripts on one partition, for one consumer of its group, one method each: promote due tasks into
/// the stream, end an entry (ack, retry, hand back, park, dead letter), keep entries alive, take and give back the
/// consumer name, remove gone consumers and forget deleted entries (see <see cref="TaskScripts"/>). Every end of an
/// entry acts only while this consumer still owns it.
/// </summary>
internal sealed class StreamScripts
{
    private static readonly EmbeddedScript Promote = EmbeddedScript.Load("promote");
    private static readonly EmbeddedScript Ack = EmbeddedScript.Load("stream_ack");
    private static readonly EmbeddedScript Retry = EmbeddedScript.Load("stream_retry");
    private static readonly EmbeddedScript HandBack = EmbeddedScript.Load("stream_handback");
    private static readonly EmbeddedScript Park = EmbeddedScript.Load("stream_park");
    private static readonly EmbeddedScript DeadLetter = EmbeddedScript.Load("stream_deadletter");
    private static readonly EmbeddedScript KeepAlive = EmbeddedScript.Load("stream_keepalive");
    private static readonly EmbeddedScript Forget = EmbeddedScript.Load("stream_forget");
    private static readonly EmbeddedScript RemoveConsumers = EmbeddedScript.Load("stream_remove_consumers");
    private static readonly EmbeddedScript TakeName = EmbeddedScript.Load("stream_name");
    private static readonly EmbeddedScript ReleaseName = EmbeddedScript.Load("stream_name_release");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly string _consumer;
    private readonly RedisKey[] _promoteKeys;
    private readonly RedisKey[] _ackKeys;
    private readonly RedisKey[] _retryKeys;
    private readonly RedisKey[] _handBackKeys;
    private readonly RedisKey[] _parkKeys;
    private readonly RedisKey[] _deadLetterKeys;
    private readonly RedisKey[] _streamKeys;
    private readonly RedisKey[] _forgetKeys;
    private readonly RedisKey[] _nameKeys;

    /// <summary>Binds the scripts to a partition's keys and to this process's consumer name.</summary>
    public StreamScripts(IConnectionMultiplexer connection, RedisKeys keys, string consumer)
    {
        _connection = connection;
        _keys = keys;
        _consumer = consumer;
        _promoteKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.Stream, keys.Queued, keys.RecurringState, keys.RecurringDue, keys.RecurringNext, keys.Reclaims, keys.Lease, keys.Parked, keys.Urgent, keys.Priority, keys.Dead, keys.DeadIndex];
        _ackKeys = [keys.Stream, keys.Queued, keys.Pending, keys.Tasks, keys.Deferred, keys.Urgent, keys.Priority];
        _retryKeys = [keys.Stream, keys.Queued, keys.Pending, keys.Tasks, keys.Deferred];
        _handBackKeys = [keys.Stream, keys.Queued];
        _parkKeys = [keys.Stream, keys.Queued, keys.Pending, keys.Tasks, keys.Parked, keys.ParkedBy, keys.Deferred];
        _deadLetterKeys = [keys.Stream, keys.Queued, keys.Dead, keys.DeadIndex, keys.Pending, keys.Tasks, keys.Deferred, keys.Urgent, keys.Priority];
        _streamKeys = [keys.Stream];
        _forgetKeys = [keys.Stream, keys.Queued, keys.Pending, keys.Tasks, keys.Deferred, keys.Urgent, keys.Priority];
        _nameKeys = [keys.ConsumerName(consumer)];
    }

    private IDatabase Db => _connection.GetDatabase();

    private static string Group => RedisKeys.StreamGroup;

    /// <summary><c>promote.lua</c>: moves up to <paramref name="maxCount"/> due tasks (and expired leases) into the stream, trimming the dead letters to <paramref name="retention"/>.</summary>
    public Task<PromotionResult> PromoteAsync(int maxCount, DeadLetterRetention retention) =>
        Promote.RunAsync(Db, _promoteKeys, [maxCount, retention.MaxCount, retention.MaxAgeMilliseconds], PromoteReply.Read);

    /// <summary><c>stream_ack.lua</c>: ends an entry, its task done; false when this consumer no longer owns it.</summary>
    public Task<bool> AckAsync(string entryId, string taskId) =>
        Ack.RunAsync(Db, _ackKeys, [Group, _consumer, entryId, taskId, _keys.WakeChannelName], Scalar.Flag);

    /// <summary><c>stream_retry.lua</c>: ends an entry and schedules <paramref name="envelope"/> after <paramref name="delay"/>; false when this consumer no longer owns it.</summary>
    public Task<bool> RetryAsync(string entryId, string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay) =>
        Retry.RunAsync(Db, _retryKeys, [Group, _consumer, entryId, taskId, envelope, (long)delay.TotalMilliseconds, _keys.WakeChannelName], Scalar.Ended);

    /// <summary><c>stream_handback.lua</c>: gives an entry back to the group (as a new entry with <paramref name="fields"/>); false when this consumer no longer owns it.</summary>
    public Task<bool> HandBackAsync(string entryId, string taskId, RedisValue[] fields)
    {
        var args = new RedisValue[4 + fields.Length];
        args[0] = Group;
        args[1] = _consumer;
        args[2] = entryId;
        args[3] = taskId;
        fields.CopyTo(args, 4);
        return HandBack.RunAsync(Db, _handBackKeys, args, Scalar.Flag);
    }

    /// <summary><c>stream_park.lua</c>: takes an entry out of the stream, its task waiting for flow control in the schedule.</summary>
    public Task<bool> ParkAsync(string entryId, string taskId, ReadOnlyMemory<byte> envelope, long dueMilliseconds, string handler, string key) =>
        Park.RunAsync(
            Db,
            _parkKeys,
            [Group, _consumer, entryId, taskId, envelope, Math.Max(0, dueMilliseconds), RedisKeys.ParkedMember(handler, key, dueMilliseconds, taskId)],
            Scalar.Flag);

    /// <summary><c>stream_deadletter.lua</c>: ends an entry with dead letter <paramref name="record"/>, trimming the dead letters to <paramref name="retention"/>.</summary>
    public Task<bool> DeadLetterAsync(string entryId, string taskId, ReadOnlyMemory<byte> record, DeadLetterRetention retention) =>
        DeadLetter.RunAsync(
            Db,
            _deadLetterKeys,
            [Group, _consumer, entryId, taskId, record, _keys.WakeChannelName, retention.MaxCount, retention.MaxAgeMilliseconds],
            Scalar.Flag);

    /// <summary><c>stream_keepalive.lua</c>: resets the idle time of this consumer's entries; returns those another consumer owns and those deleted.</summary>
    public Task<(string[] Lost, string[] Gone)> KeepAliveAsync(IReadOnlyCollection<string> entryIds)
    {
        var args = new RedisValue[2 + entryIds.Count];
        args[0] = Group;
        args[1] = _consumer;
        var i = 2;
        foreach (var id in entryIds)
        {
            args[i++] = id;
        }

        return KeepAlive.RunAsync(Db, _streamKeys, args, StreamKeepAliveReply.Read);
    }

    /// <summary><c>stream_forget.lua</c>: forgets the tasks of <paramref name="pairs"/> (task id, entry id) whose entries are gone and idle for <paramref name="minIdle"/>; returns their ids.</summary>
    public Task<string[]> ForgetAsync(IReadOnlyList<RedisValue> pairs, TimeSpan minIdle)
    {
        var args = new RedisValue[3 + pairs.Count];
        args[0] = Group;
        args[1] = _keys.WakeChannelName;
        args[2] = (long)minIdle.TotalMilliseconds;
        for (var i = 0; i < pairs.Count; i++)
        {
            args[3 + i] = pairs[i];
        }

        return Forget.RunAsync(Db, _forgetKeys, args, Lists.Strings);
    }

    /// <summary><c>stream_remove_consumers.lua</c>: removes this consumer (<paramref name="self"/>) or the others idle longer than <paramref name="idle"/>, each only while it holds nothing; returns their names.</summary>
    public Task<string[]> RemoveConsumersAsync(bool self, TimeSpan idle) =>
        RemoveConsumers.RunAsync(Db, _streamKeys, [Group, _consumer, self ? "self" : "others", (long)idle.TotalMilliseconds], Lists.Strings);

    /// <summary><c>stream_name.lua</c>: takes or keeps this consumer name for <paramref name="holder"/>; else who holds it and for how long.</summary>
    public Task<(bool Taken, string? Holder, TimeSpan? Left)> TakeNameAsync(string holder, TimeSpan lease) =>
        TakeName.RunAsync(Db, _nameKeys, [holder, (long)lease.TotalMilliseconds], StreamNameReply.Read);

    /// <summary><c>stream_name_release.lua</c>: gives this consumer name back when <paramref name="holder"/> holds it.</summary>
    public Task<bool> ReleaseNameAsync(string holder) => ReleaseName.RunAsync(Db, _nameKeys, [holder], Scalar.Flag);
}
