using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The schedule on Redis: a sorted set of task ids scored by due time, a hash of envelopes, a sorted set of
/// in-flight leases and the dead letters, all under one hash tag. Every mutation is one Lua script; the Redis
/// server's <c>TIME</c> is the clock.
/// </summary>
public sealed partial class RedisScheduleStore : IScheduleStore
{
    /// <summary>Tasks per script call when scheduling many; keeps each script short so Redis stays responsive.</summary>
    internal const int ScheduleChunk = 1000;

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _scheduleKeys;

    /// <summary>Creates the store.</summary>
    /// <param name="connection">The Redis connection.</param>
    /// <param name="keyPrefix">The key prefix; it becomes the hash tag <c>{keyPrefix}</c> of every key.</param>
    public RedisScheduleStore(IConnectionMultiplexer connection, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        _connection = connection;
        _keys = new RedisKeys(keyPrefix);
        _scheduleKeys = [_keys.Pending, _keys.Tasks, _keys.InFlight];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <inheritdoc />
    public async Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
    {
        var statuses = new ScheduleStatus[items.Count];
        if (items.Count == 0)
        {
            return statuses;
        }

        if (items.Count == 1)
        {
            return await ScheduleOneAsync(items[0], policy).ConfigureAwait(false);
        }

        var keys = _scheduleKeys;
        var chunks = new List<Task<RedisResult>>((items.Count + ScheduleChunk - 1) / ScheduleChunk);
        for (var start = 0; start < items.Count; start += ScheduleChunk)
        {
            var count = Math.Min(ScheduleChunk, items.Count - start);
            var args = new RedisValue[2 + (count * 4)];
            args[0] = _keys.WakeChannelName;
            args[1] = policy == ExistingTaskPolicy.Refuse ? "1" : "0";
            for (var i = 0; i < count; i++)
            {
                var item = items[start + i];
                args[2 + (i * 4)] = item.TaskId;
                args[3 + (i * 4)] = item.IsRelative ? "d" : "a";
                args[4 + (i * 4)] = item.DueMilliseconds;
                args[5 + (i * 4)] = item.Envelope;
            }

            chunks.Add(Db.ScriptEvaluateAsync(LuaScripts.Schedule, keys, args));
        }

        var offset = 0;
        foreach (var chunk in chunks)
        {
            var result = (RedisResult[])(await Call(chunk).ConfigureAwait(false))!;
            foreach (var status in result)
            {
                statuses[offset++] = (ScheduleStatus)(int)status;
            }
        }

        return statuses;
    }

    /// <inheritdoc />
    public async Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Cancel, [_keys.Pending, _keys.Tasks], [taskId])).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Get, [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Queued, _keys.Stream], [taskId])).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return new StoredTask(taskId, (byte[])parts[0]!, (ScheduledTaskState)(int)parts[1], (long)(double)parts[2]);
    }

    /// <inheritdoc />
    public async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Claim,
            [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.RecurringState, _keys.RecurringDue, _keys.RecurringNext, _keys.Reclaims],
            [maxCount, (long)lease.TotalMilliseconds])).ConfigureAwait(false);
        var parts = (RedisResult[])result!;
        var now = (long)parts[0];
        var next = (long)parts[1];
        var tasks = new ClaimedEntry[(parts.Length - 3) / 4];
        for (var i = 0; i < tasks.Length; i++)
        {
            var p = 3 + (i * 4);
            var expired = (int)parts[p + 3];
            tasks[i] = new ClaimedEntry(
                (string)parts[p]!,
                (byte[]?)parts[p + 2] ?? [],
                (long)(double)parts[p + 1],
                expired > 0,
                expired);
        }

        return new ClaimBatch(tasks, next < 0 ? null : TimeSpan.FromMilliseconds(next), now, (int)parts[2]);
    }

    /// <inheritdoc />
    public async Task ExtendLeasesAsync(IReadOnlyCollection<string> taskIds, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (taskIds.Count == 0)
        {
            return;
        }

        var args = new RedisValue[taskIds.Count + 1];
        args[0] = (long)lease.TotalMilliseconds;
        var i = 1;
        foreach (var id in taskIds)
        {
            args[i++] = id;
        }

        await Call(Db.ScriptEvaluateAsync(LuaScripts.Extend, [_keys.InFlight], args)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> AckAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Ack, [_keys.InFlight, _keys.Tasks, _keys.Reclaims], [taskId])).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<bool> RetryAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Retry,
            [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Reclaims],
            [_keys.WakeChannelName, taskId, envelope, (long)delay.TotalMilliseconds])).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<int> ReleaseAsync(IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        if (taskIds.Count == 0)
        {
            return 0;
        }

        var args = new RedisValue[taskIds.Count + 1];
        args[0] = _keys.WakeChannelName;
        var i = 1;
        foreach (var id in taskIds)
        {
            args[i++] = id;
        }

        return (int)await Call(Db.ScriptEvaluateAsync(LuaScripts.Release, [_keys.Pending, _keys.InFlight], args)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken)
    {
        var subscriber = _connection.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, _) => onEarlierTask();
        await subscriber.SubscribeAsync(_keys.WakeChannel, handler).ConfigureAwait(false);
        return new Subscription(subscriber, _keys.WakeChannel, handler);
    }

    private static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: " + ex.Message, ex);
        }
    }

    private sealed class Subscription(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await subscriber.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // The connection is gone; the subscription went with it.
            }
        }
    }
}
