using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The task lifecycle on Redis: a sorted set of task ids scored by due time, a hash of envelopes and a sorted set of
/// in-flight leases, all under one hash tag; a claim ended by <see cref="DeadLetterAsync"/> moves its task to the
/// dead letters that <see cref="RedisDeadLetterStore"/> reads. Every mutation is one Lua script; the Redis server's
/// <c>TIME</c> is the clock. <see cref="RedisStores.Create"/> makes it with its recurring and dead-letter stores.
/// </summary>
internal sealed partial class RedisScheduleStore : IScheduleStore, Flow.IFlowParking
{
    /// <summary>
    /// How many claim batches' owners <c>{p}:owner</c> keeps (one member per batch, about 50 bytes): an in-flight task
    /// claimed longer ago than the latest this many batches of its partition shows no owner.
    /// </summary>
    internal const int OwnerBatchesKept = 4_096;

    /// <summary>Tasks per script call when scheduling many; keeps each script short so Redis stays responsive.</summary>
    internal const int ScheduleChunk = 1000;

    /// <summary>
    /// Envelope bytes per script call when scheduling many, and per coalesced call of single schedules: far below Redis's query buffer limit (1 GB by default,
    /// often set lower), which drops the whole shared connection when one command exceeds it. A larger task goes alone.
    /// </summary>
    internal const int ScheduleChunkBytes = 8 * 1024 * 1024;

    /// <summary>Envelope bytes of scheduling calls sent and not yet answered, per <c>ScheduleAsync</c> call (a chunk larger than this goes alone).</summary>
    internal const long ScheduleInFlightBytes = 2L * ScheduleChunkBytes;

    private readonly RedisSchedule _redis;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _scheduleKeys;

    // The keys of the hot path's scripts, made once (never changed; Redis only reads them): a claim batch and each
    // coalesced ack allocate no key array of their own.
    private readonly RedisKey[] _claimKeys;
    private readonly RedisKey[] _ackKeys;

    /// <summary>Creates the store.</summary>
    /// <param name="redis">The schedule's connection and keys, shared with its recurring and dead-letter stores.</param>
    public RedisScheduleStore(RedisSchedule redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _keys = redis.Keys;
        _scheduleKeys = [_keys.Pending, _keys.Tasks, _keys.Lease, _keys.Queued, _keys.Deferred, _keys.Reclaims, _keys.Parked, _keys.ParkedBy, _keys.Urgent, _keys.Priority];
        _claimKeys = [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.RecurringState, _keys.RecurringDue, _keys.RecurringNext, _keys.Reclaims, _keys.Lease, _keys.Fence, _keys.Owner, _keys.Parked, _keys.Urgent, _keys.Priority, _keys.Dead, _keys.DeadIndex];
        _ackKeys = [_keys.InFlight, _keys.Tasks, _keys.Reclaims, _keys.Lease, _keys.Pending, _keys.Deferred, _keys.Urgent, _keys.Priority];
        _schedules = new GroupCommit<(StoreItem Item, ExistingTaskPolicy Policy), ScheduleStatus>(
            ScheduleBatchAsync, ScheduleBatch, (first, next) => next.Policy == first.Policy, sizeOf: s => SizeOf(s.Item), maxSize: ScheduleChunkBytes);
        _acks = new GroupCommit<TaskClaim, bool>(AckBatchAsync, AckBatch, sendLoneItemInline: false);
    }

    private readonly GroupCommit<(StoreItem Item, ExistingTaskPolicy Policy), ScheduleStatus> _schedules;
    private readonly GroupCommit<TaskClaim, bool> _acks;

    /// <summary>How many dead letters the dead-letter scripts keep, and for how long (claims trim them too).</summary>
    internal DeadLetterRetention Retention { get; init; } = DeadLetterRetention.Default;

    private IDatabase Db => _redis.Db;

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
            // Concurrent single-task schedules share one script call (group commit).
            return [await _schedules.SendAsync((items[0], policy)).ConfigureAwait(false)];
        }

        // Chunks go out pipelined, but at most ScheduleInFlightBytes of envelopes at a time: a call queued behind a
        // gigabyte on the shared connection would time out (and hold up every other caller) before its turn.
        var keys = _scheduleKeys;
        var inFlight = new Queue<(int Offset, long Bytes, Task<RedisResult> Call)>();
        long inFlightBytes = 0;
        for (var start = 0; start < items.Count;)
        {
            var count = ChunkLength(items, start);
            var args = ScheduleArgs(count, policy);
            long bytes = 0;
            for (var i = 0; i < count; i++)
            {
                bytes += SetScheduleArgs(args, i, items[start + i]);
            }

            while (inFlight.Count > 0 && inFlightBytes + bytes > ScheduleInFlightBytes)
            {
                inFlightBytes -= await CollectAsync(inFlight.Dequeue(), statuses).ConfigureAwait(false);
            }

            inFlight.Enqueue((start, bytes, Db.ScriptEvaluateAsync(LuaScripts.Schedule, keys, args)));
            inFlightBytes += bytes;
            start += count;
        }

        while (inFlight.Count > 0)
        {
            await CollectAsync(inFlight.Dequeue(), statuses).ConfigureAwait(false);
        }

        await _redis.ConfirmWritesAsync().ConfigureAwait(false); // one WAIT for every chunk
        return statuses;
    }

    /// <summary>
    /// Most tasks in one coalesced call of single-task schedules; the call also holds at most
    /// <see cref="ScheduleChunkBytes"/> (as <see cref="ChunkLength"/> counts them), a larger task going alone.
    /// </summary>
    private const int ScheduleBatch = 512;

    /// <summary>Sends one coalesced call of single-task schedules (all with the same policy).</summary>
    private async Task<ScheduleStatus[]> ScheduleBatchAsync(IReadOnlyList<(StoreItem Item, ExistingTaskPolicy Policy)> batch)
    {
        var args = ScheduleArgs(batch.Count, batch[0].Policy);
        for (var i = 0; i < batch.Count; i++)
        {
            SetScheduleArgs(args, i, batch[i].Item);
        }

        var statuses = new ScheduleStatus[batch.Count];
        ScheduleReply.Read(await Call(Db.ScriptEvaluateAsync(LuaScripts.Schedule, _scheduleKeys, args)).ConfigureAwait(false)).CopyTo(statuses, 0);
        await _redis.ConfirmWritesAsync().ConfigureAwait(false); // one WAIT for the coalesced call
        return statuses;
    }

    /// <summary>The arguments of a <c>schedule.lua</c> call of <paramref name="count"/> tasks, with the tasks still to set.</summary>
    private RedisValue[] ScheduleArgs(int count, ExistingTaskPolicy policy)
    {
        var args = new RedisValue[2 + (count * 4)];
        args[0] = _keys.WakeChannelName;
        args[1] = policy == ExistingTaskPolicy.Refuse ? "1" : "0";
        return args;
    }

    /// <summary>Sets task <paramref name="index"/> of a <c>schedule.lua</c> call; returns its envelope bytes.</summary>
    private static long SetScheduleArgs(RedisValue[] args, int index, in StoreItem item)
    {
        args[2 + (index * 4)] = item.TaskId;
        args[3 + (index * 4)] = item.Priority > 0
            ? (item.IsRelative ? "d" : "a") + item.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : item.IsRelative ? "d" : "a";
        args[4 + (index * 4)] = item.DueMilliseconds;
        args[5 + (index * 4)] = item.Envelope;
        return item.Envelope.Length;
    }

    /// <summary>Writes one chunk's statuses from its offset on; returns the chunk's envelope bytes.</summary>
    private static async Task<long> CollectAsync((int Offset, long Bytes, Task<RedisResult> Call) chunk, ScheduleStatus[] statuses)
    {
        ScheduleReply.Read(await Call(chunk.Call).ConfigureAwait(false)).CopyTo(statuses, chunk.Offset);
        return chunk.Bytes;
    }

    /// <summary>How many tasks from <paramref name="start"/> go in one call: at most <see cref="ScheduleChunk"/>, and at most <see cref="ScheduleChunkBytes"/> of envelopes (but at least one task).</summary>
    internal static int ChunkLength(IReadOnlyList<StoreItem> items, int start)
    {
        var count = 0;
        long bytes = 0;
        while (start + count < items.Count && count < ScheduleChunk)
        {
            bytes += SizeOf(items[start + count]);
            if (count > 0 && bytes > ScheduleChunkBytes)
            {
                break;
            }

            count++;
        }

        return count;
    }

    /// <summary>The bytes a task adds to a scheduling call, as the chunk and coalescing caps count them.</summary>
    private static long SizeOf(in StoreItem item) => item.Envelope.Length + item.TaskId.Length;

    /// <inheritdoc />
    public async Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Cancel, [_keys.Pending, _keys.Tasks, _keys.Deferred, _keys.Reclaims, _keys.Parked, _keys.ParkedBy, _keys.Urgent, _keys.Priority], [taskId])).ConfigureAwait(false);
        var cancelled = (int)result == 1;
        if (cancelled)
        {
            await _redis.ConfirmWritesAsync().ConfigureAwait(false);
        }

        return cancelled;
    }

    /// <inheritdoc />
    public async Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Get, [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Queued, _keys.Stream], [taskId])).ConfigureAwait(false);
        // A task waiting for a flow-control slot is pending at its due time (its score is offset, see RedisKeys.Parked).
        return GetReply.Read(result, taskId) is { } stored ? stored with { ScoreMilliseconds = RedisKeys.DueOf(stored.ScoreMilliseconds) } : null;
    }

    /// <inheritdoc />
    public async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await Call(LuaScripts.ClaimBySha.EvaluateAsync(
            Db,
            _claimKeys,
            [maxCount, (long)lease.TotalMilliseconds, LeaseOwnerName.Current, OwnerBatchesKept, Retention.MaxCount, Retention.MaxAgeMilliseconds])).ConfigureAwait(false);
        return ClaimReply.Read(result);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (claims.Count == 0)
        {
            return [];
        }

        var args = new RedisValue[(claims.Count * 2) + 1];
        args[0] = (long)lease.TotalMilliseconds;
        var i = 1;
        foreach (var claim in claims)
        {
            args[i++] = claim.TaskId;
            args[i++] = claim.Token;
        }

        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Extend, [_keys.InFlight, _keys.Lease], args)).ConfigureAwait(false);
        return ExtendReply.Read(result, claims);
    }

    /// <inheritdoc />
    /// <remarks>Concurrent acks share one script call (group commit), at most <see cref="AckBatch"/> per call.</remarks>
    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) => _acks.SendAsync(claim);

    /// <summary>Most acks in one coalesced call.</summary>
    internal const int AckBatch = 512;

    private async Task<bool[]> AckBatchAsync(IReadOnlyList<TaskClaim> claims)
    {
        var args = new RedisValue[(claims.Count * 2) + 1];
        args[0] = _keys.WakeChannelName;
        for (var i = 0; i < claims.Count; i++)
        {
            args[1 + (i * 2)] = claims[i].TaskId;
            args[2 + (i * 2)] = claims[i].Token;
        }

        var result = await Call(LuaScripts.AckBySha.EvaluateAsync(
            Db,
            _ackKeys,
            args)).ConfigureAwait(false);
        return AckReply.Read(result);
    }

    /// <inheritdoc />
    public async Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Retry,
            [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Reclaims, _keys.Lease, _keys.Deferred, _keys.Urgent, _keys.Priority],
            [_keys.WakeChannelName, claim.TaskId, envelope, (long)delay.TotalMilliseconds, claim.Token])).ConfigureAwait(false);
        return (int)result != 0;
    }

    /// <inheritdoc />
    public async Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken)
    {
        if (claims.Count == 0)
        {
            return 0;
        }

        var args = new RedisValue[(claims.Count * 2) + 1];
        args[0] = _keys.WakeChannelName;
        var i = 1;
        foreach (var claim in claims)
        {
            args[i++] = claim.TaskId;
            args[i++] = claim.Token;
        }

        return (int)await Call(Db.ScriptEvaluateAsync(LuaScripts.Release, [_keys.Pending, _keys.InFlight, _keys.Lease, _keys.Urgent, _keys.Priority], args)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>Trims the dead letters to <see cref="Retention"/> in the same script.</remarks>
    public async Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.DeadLetter,
            [_keys.InFlight, _keys.Tasks, _keys.Dead, _keys.DeadIndex, _keys.Reclaims, _keys.Lease, _keys.Pending, _keys.Deferred, _keys.Urgent, _keys.Priority],
            [claim.TaskId, record, claim.Token, _keys.WakeChannelName, Retention.MaxCount, Retention.MaxAgeMilliseconds])).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken)
    {
        var subscriber = _redis.Connection.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, _) => onEarlierTask();
        await subscriber.SubscribeAsync(_keys.WakeChannel, handler).ConfigureAwait(false);

        // After a reconnection or a failover (a new master) the wake-ups sent meanwhile are lost, and the worker's poll
        // delay has grown with every failed poll: it polls at once instead, so it resumes within a round trip of the
        // promotion rather than up to MaxPollDelay later.
        EventHandler<ConnectionFailedEventArgs> restored = (_, _) => onEarlierTask();
        EventHandler<EndPointEventArgs> changed = (_, _) => onEarlierTask();
        _redis.Connection.ConnectionRestored += restored;
        _redis.Connection.ConfigurationChanged += changed;
        return new Subscription(subscriber, _keys.WakeChannel, handler, _redis.Connection, restored, changed);
    }

    private sealed class Subscription(
        ISubscriber subscriber,
        RedisChannel channel,
        Action<RedisChannel, RedisValue> handler,
        IConnectionMultiplexer connection,
        EventHandler<ConnectionFailedEventArgs> restored,
        EventHandler<EndPointEventArgs> changed) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            connection.ConnectionRestored -= restored;
            connection.ConfigurationChanged -= changed;
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
