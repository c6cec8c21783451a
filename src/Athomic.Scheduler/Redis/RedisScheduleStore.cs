using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;

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

    /// <summary>
    /// Most tasks in one coalesced call of single-task schedules; the call also holds at most
    /// <see cref="ScheduleChunkBytes"/> (as <see cref="ChunkLength"/> counts them), a larger task going alone.
    /// </summary>
    private const int ScheduleBatch = 512;

    /// <summary>Most acks in one coalesced call.</summary>
    internal const int AckBatch = 512;

    private readonly RedisSchedule _redis;
    private readonly RedisKeys _keys;
    private readonly TaskScripts _scripts;
    private readonly GroupCommit<(StoreItem Item, ExistingTaskPolicy Policy), ScheduleStatus> _schedules;
    private readonly GroupCommit<TaskClaim, bool> _acks;

    /// <summary>Creates the store.</summary>
    /// <param name="redis">The schedule's connection and keys, shared with its recurring and dead-letter stores.</param>
    public RedisScheduleStore(RedisSchedule redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _keys = redis.Keys;
        _scripts = new TaskScripts(redis.Connection, redis.Keys);
        _schedules = new GroupCommit<(StoreItem Item, ExistingTaskPolicy Policy), ScheduleStatus>(
            ScheduleBatchAsync, ScheduleBatch, (first, next) => next.Policy == first.Policy, sizeOf: s => SizeOf(s.Item), maxSize: ScheduleChunkBytes);
        _acks = new GroupCommit<TaskClaim, bool>(_scripts.AckAsync, AckBatch, sendLoneItemInline: false);
    }

    /// <summary>How many dead letters the dead-letter scripts keep, and for how long (claims trim them too).</summary>
    internal DeadLetterRetention Retention { get; init; } = DeadLetterRetention.Default;

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
        var inFlight = new Queue<(long Bytes, Task<int> Call)>();
        long inFlightBytes = 0;
        for (var start = 0; start < items.Count;)
        {
            var count = ChunkLength(items, start);
            var args = _scripts.ScheduleArgsFor(count, policy);
            long bytes = 0;
            for (var i = 0; i < count; i++)
            {
                bytes += args.Set(i, items[start + i]);
            }

            while (inFlight.Count > 0 && inFlightBytes + bytes > ScheduleInFlightBytes)
            {
                inFlightBytes -= await CollectAsync(inFlight.Dequeue()).ConfigureAwait(false);
            }

            inFlight.Enqueue((bytes, _scripts.ScheduleAsync(args, statuses, start)));
            inFlightBytes += bytes;
            start += count;
        }

        while (inFlight.Count > 0)
        {
            await CollectAsync(inFlight.Dequeue()).ConfigureAwait(false);
        }

        await _redis.ConfirmWritesAsync().ConfigureAwait(false); // one WAIT for every chunk
        return statuses;
    }

    /// <summary>Sends one coalesced call of single-task schedules (all with the same policy).</summary>
    private async Task<ScheduleStatus[]> ScheduleBatchAsync(IReadOnlyList<(StoreItem Item, ExistingTaskPolicy Policy)> batch)
    {
        var args = _scripts.ScheduleArgsFor(batch.Count, batch[0].Policy);
        for (var i = 0; i < batch.Count; i++)
        {
            args.Set(i, batch[i].Item);
        }

        var statuses = new ScheduleStatus[batch.Count];
        await _scripts.ScheduleAsync(args, statuses, 0).ConfigureAwait(false);
        await _redis.ConfirmWritesAsync().ConfigureAwait(false); // one WAIT for the coalesced call
        return statuses;
    }

    /// <summary>Waits for one chunk (its statuses written); returns the chunk's envelope bytes.</summary>
    private static async Task<long> CollectAsync((long Bytes, Task<int> Call) chunk)
    {
        await chunk.Call.ConfigureAwait(false);
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
        var cancelled = await _scripts.CancelAsync(taskId).ConfigureAwait(false);
        if (cancelled)
        {
            await _redis.ConfirmWritesAsync().ConfigureAwait(false);
        }

        return cancelled;
    }

    /// <inheritdoc />
    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => _scripts.GetAsync(taskId);

    /// <inheritdoc />
    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
        _scripts.ClaimAsync(maxCount, lease, LeaseOwnerName.Current, OwnerBatchesKept, Retention);

    /// <summary><c>claim.lua</c>'s reply, not yet read (<see cref="ClaimAsync"/>; the benchmark times the two apart).</summary>
    internal Task<RedisResult> ClaimReplyAsync(int maxCount, TimeSpan lease) =>
        _scripts.ClaimReplyAsync(maxCount, lease, LeaseOwnerName.Current, OwnerBatchesKept, Retention);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) =>
        claims.Count == 0 ? [] : await _scripts.ExtendAsync(claims, lease).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Concurrent acks share one script call (group commit), at most <see cref="AckBatch"/> per call.</remarks>
    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) => _acks.SendAsync(claim);

    /// <inheritdoc />
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        _scripts.RetryAsync(claim, envelope, delay);

    /// <inheritdoc />
    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) =>
        claims.Count == 0 ? Task.FromResult(0) : _scripts.ReleaseAsync(claims);

    /// <inheritdoc />
    /// <remarks>Trims the dead letters to <see cref="Retention"/> in the same script.</remarks>
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        _scripts.DeadLetterAsync(claim, record, Retention);

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
