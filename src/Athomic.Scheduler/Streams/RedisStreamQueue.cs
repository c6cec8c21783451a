using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// The streams broker's side of Redis for one partition: the stream <c>{prefix}:stream</c> with one consumer group,
/// fed straight from the partition's schedule by <c>promote.lua</c>. Every change is one script on keys of the
/// partition's hash tag; every end of an entry (ack, retry, hand-back, dead letter) acts only while this consumer
/// still owns the entry. The scripts are called through <see cref="StreamScripts"/>, where a lost connection or a
/// failover error becomes a <see cref="SchedulerUnavailableException"/>; the other commands (<c>XREADGROUP</c>,
/// <c>XAUTOCLAIM</c>, <c>XPENDING</c>…) throw the client's own exceptions.
/// </summary>
internal sealed class RedisStreamQueue
{
    public const string GroupName = RedisKeys.StreamGroup;

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly StreamScripts _scripts;

    public RedisStreamQueue(IConnectionMultiplexer connection, string keyPrefix, string consumer, int partition = 0)
    {
        _connection = connection;
        _keys = new RedisKeys(keyPrefix);
        _scripts = new StreamScripts(connection, _keys, consumer);
        Consumer = consumer;
        Partition = partition;
    }

    public string Consumer { get; }

    /// <summary>How many dead letters the dead-letter script keeps, and for how long (promotions trim them too).</summary>
    public DeadLetterRetention Retention { get; init; } = DeadLetterRetention.Default;

    /// <summary>The partition index (0 for an unpartitioned schedule); stamped on every delivery.</summary>
    public int Partition { get; }

    /// <summary>The stream key (for logs and tests).</summary>
    public RedisKey Stream => _keys.Stream;

    private IDatabase Db => _connection.GetDatabase();

    /// <summary>Creates the consumer group (from the start of the stream, so nothing promoted before is missed).</summary>
    /// <returns><see langword="true"/> when it was created now.</returns>
    public async Task<bool> EnsureGroupAsync()
    {
        try
        {
            return await Db.StreamCreateConsumerGroupAsync(_keys.Stream, GroupName, "0-0", createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>
    /// Moves up to <paramref name="maxCount"/> due tasks from the schedule into the stream (one script), adding the
    /// successors of the recurring occurrences among them, and trims the dead letters to <see cref="Retention"/>.
    /// </summary>
    /// <exception cref="SchedulerUnavailableException">Redis cannot be reached, or a failover is under way.</exception>
    public Task<PromotionResult> PromoteAsync(int maxCount) => _scripts.PromoteAsync(maxCount, Retention);

    /// <summary>
    /// Reads new entries for this consumer, waiting up to <paramref name="block"/> for one (<see langword="null"/>:
    /// not at all). Runs <c>XREADGROUP</c> on <paramref name="reader"/>, a connection used for nothing else: a blocking
    /// command holds its connection, and StackExchange.Redis multiplexes every other command over the shared one.
    /// </summary>
    public async Task<IReadOnlyList<StreamDelivery>> ReadAsync(IConnectionMultiplexer reader, int count, TimeSpan? block)
    {
        object[] args = block is { } wait
            ? ["GROUP", GroupName, Consumer, "COUNT", count, "BLOCK", (long)wait.TotalMilliseconds, "STREAMS", _keys.Stream, ">"]
            : ["GROUP", GroupName, Consumer, "COUNT", count, "STREAMS", _keys.Stream, ">"];
        var result = await reader.GetDatabase().ExecuteAsync("XREADGROUP", args).ConfigureAwait(false);
        if (result.IsNull || result.Length == 0)
        {
            return [];
        }

        // RESP2: [[key, entries]]; RESP3: a map { key: entries }, which StackExchange.Redis flattens to [key, entries].
        var entries = (RedisResult[])(result.Resp3Type == ResultType.Map ? result[1] : result[0][1])!;
        var deliveries = new List<StreamDelivery>(entries.Length);
        foreach (var entry in entries)
        {
            var fields = entry[1].IsNull ? [] : (RedisValue[])entry[1]!;
            deliveries.Add(StreamDelivery.Parse((string)entry[0]!, fields, Partition));
        }

        return deliveries;
    }

    /// <summary>
    /// Takes over entries idle for longer than <paramref name="minIdle"/> (their consumer died or stalled). Also returns
    /// the ids of pending entries that were deleted from the stream outside the scheduler (<c>XDEL</c>, <c>XTRIM</c>):
    /// Redis 7 drops them from the pending list as it reports them, so their tasks are forgotten now
    /// (<see cref="ForgetGoneEntriesAsync"/>) or never.
    /// </summary>
    public async Task<(IReadOnlyList<StreamDelivery> Entries, RedisValue Next, IReadOnlyList<string> Deleted)> AutoClaimAsync(TimeSpan minIdle, RedisValue start, int count)
    {
        var result = await Db.StreamAutoClaimAsync(_keys.Stream, GroupName, Consumer, (long)minIdle.TotalMilliseconds, start, count).ConfigureAwait(false);
        var deliveries = new List<StreamDelivery>(result.ClaimedEntries.Length);
        foreach (var entry in result.ClaimedEntries)
        {
            if (entry.IsNull)
            {
                continue;
            }

            var fields = new RedisValue[entry.Values.Length * 2];
            for (var i = 0; i < entry.Values.Length; i++)
            {
                fields[2 * i] = entry.Values[i].Name;
                fields[(2 * i) + 1] = entry.Values[i].Value;
            }

            deliveries.Add(StreamDelivery.Parse((string)entry.Id!, fields, Partition));
        }

        var deleted = result.DeletedIds is { Length: > 0 } ids ? Array.ConvertAll(ids, id => (string)id!) : [];
        return (deliveries, result.NextStartId, deleted);
    }

    /// <summary>
    /// Forgets the tasks whose stream entry was deleted outside the scheduler (<c>stream_forget.lua</c>): their marks
    /// in <c>{p}:queued</c> go, and a version scheduled while they were queued becomes pending. An entry still pending
    /// in the group is left alone until nobody touched it for <paramref name="minIdle"/>.
    /// </summary>
    /// <param name="entryIds">The entry ids to look for, or <see langword="null"/>: every mark.</param>
    /// <param name="minIdle">The visibility timeout.</param>
    /// <returns>The ids of the tasks forgotten.</returns>
    public async Task<IReadOnlyList<string>> ForgetGoneEntriesAsync(IReadOnlyCollection<string>? entryIds, TimeSpan minIdle)
    {
        // The marks name tasks by id and entries by value: only a scan of the hash finds the task of an entry id. It
        // runs only when entries were deleted, and HSCAN pages never hold Redis for long.
        var wanted = entryIds is null ? null : new HashSet<string>(entryIds, StringComparer.Ordinal);
        var forgotten = new List<string>();
        var pairs = new List<RedisValue>();
        await foreach (var mark in Db.HashScanAsync(_keys.Queued, pageSize: ForgetBatch).ConfigureAwait(false))
        {
            if (wanted is not null && !wanted.Remove((string)mark.Value!))
            {
                continue;
            }

            pairs.Add(mark.Name);
            pairs.Add(mark.Value);
            if (pairs.Count == 2 * ForgetBatch)
            {
                forgotten.AddRange(await ForgetAsync(pairs, minIdle).ConfigureAwait(false));
                pairs.Clear();
            }

            if (wanted is { Count: 0 })
            {
                break;
            }
        }

        if (pairs.Count > 0)
        {
            forgotten.AddRange(await ForgetAsync(pairs, minIdle).ConfigureAwait(false));
        }

        return forgotten;
    }

    /// <summary>
    /// Whether the stream may have lost entries outside the scheduler: every mark in <c>{p}:queued</c> names an entry
    /// of the stream (the scripts add and remove both in one step), so more marks than entries means stale marks.
    /// </summary>
    public async Task<bool> MayHaveGoneEntriesAsync()
    {
        var both = Db.CreateTransaction();
        var marks = both.HashLengthAsync(_keys.Queued);
        var entries = both.StreamLengthAsync(_keys.Stream);
        await both.ExecuteAsync().ConfigureAwait(false);
        return await marks.ConfigureAwait(false) > await entries.ConfigureAwait(false);
    }

    private const int ForgetBatch = 256;

    private Task<string[]> ForgetAsync(List<RedisValue> pairs, TimeSpan minIdle) => _scripts.ForgetAsync(pairs, minIdle);

    /// <summary>How many times each of <paramref name="entryIds"/> (owned by this consumer) was delivered (XPENDING).</summary>
    public async Task<long[]> DeliveryCountsAsync(IReadOnlyList<string> entryIds)
    {
        var calls = new Task<StreamPendingMessageInfo[]>[entryIds.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = Db.StreamPendingMessagesAsync(_keys.Stream, GroupName, 1, Consumer, entryIds[i], entryIds[i]);
        }

        var counts = new long[calls.Length];
        for (var i = 0; i < calls.Length; i++)
        {
            var info = await calls[i].ConfigureAwait(false);
            counts[i] = info.Length == 0 ? 0 : info[0].DeliveryCount;
        }

        return counts;
    }

    /// <summary>
    /// Removes consumers that hold no entries and were idle longer than <paramref name="idle"/> (processes that
    /// stopped or died long ago; a live consumer reads every second). A consumer with pending entries is never removed:
    /// one script checks and removes (<c>stream_remove_consumers.lua</c>), so a consumer that reads meanwhile keeps
    /// what it read.
    /// </summary>
    /// <param name="idle">The idle time past which an empty consumer is gone for good.</param>
    /// <param name="self"><see langword="true"/>: remove only this consumer (stopping), whatever its idle time;
    /// <see langword="false"/>: only other consumers, never this one.</param>
    /// <returns>The names of the removed consumers.</returns>
    public Task<string[]> RemoveGoneConsumersAsync(TimeSpan idle, bool self = false) => _scripts.RemoveConsumersAsync(self, idle);

    public Task<bool> AckAsync(string entryId, string taskId) => _scripts.AckAsync(entryId, taskId);

    public Task<bool> RetryAsync(string entryId, string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay) =>
        _scripts.RetryAsync(entryId, taskId, envelope, delay);

    public Task<bool> HandBackAsync(string entryId, string taskId, RedisValue[] fields) => _scripts.HandBackAsync(entryId, taskId, fields);

    /// <summary>Takes an entry out of the stream: flow control makes its task wait in the schedule (<c>stream_park.lua</c>).</summary>
    public Task<bool> ParkAsync(string entryId, string taskId, ReadOnlyMemory<byte> envelope, long dueMilliseconds, string handler, string key) =>
        _scripts.ParkAsync(entryId, taskId, envelope, dueMilliseconds, handler, key);

    public Task<bool> DeadLetterAsync(string entryId, string taskId, ReadOnlyMemory<byte> record) =>
        _scripts.DeadLetterAsync(entryId, taskId, record, Retention);

    /// <summary>
    /// Takes or keeps this queue's consumer name for <paramref name="lease"/> on behalf of <paramref name="holder"/>
    /// (<c>stream_name.lua</c>); when another process holds it, returns that process and how long its hold lasts
    /// (<see langword="null"/>: for ever).
    /// </summary>
    public Task<(bool Taken, string? Holder, TimeSpan? Left)> TakeNameAsync(string holder, TimeSpan lease) => _scripts.TakeNameAsync(holder, lease);

    /// <summary>Gives this queue's consumer name back when <paramref name="holder"/> holds it (<c>stream_name_release.lua</c>).</summary>
    public Task<bool> ReleaseNameAsync(string holder) => _scripts.ReleaseNameAsync(holder);

    /// <summary>
    /// Resets the idle time of the entries this consumer runs; returns those another consumer owns by now
    /// (<c>Lost</c>) and those deleted from the stream outside the scheduler (<c>Gone</c>, not kept alive).
    /// </summary>
    public Task<(string[] Lost, string[] Gone)> KeepAliveAsync(IReadOnlyCollection<string> entryIds) => _scripts.KeepAliveAsync(entryIds);
}
