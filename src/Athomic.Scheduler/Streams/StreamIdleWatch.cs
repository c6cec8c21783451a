using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// One blocking read for every idle partition of a process: while the read loops of several partitions have drained
/// their streams, this watch waits for the next entry of any of them with one <c>XREADGROUP … BLOCK … STREAMS s1 s2 …</c>
/// on a connection of its own, instead of one blocking read per partition. An idle process thus sends one read per
/// <see cref="IdleBlock"/> whatever its partition count.
/// </summary>
/// <remarks>
/// <para>A loop that drained its stream parks here (<see cref="TryPark"/>) and is handed the entry the watch reads for
/// its partition (at most one per partition and read, as its own blocking read would take). A read covers the loops
/// parked when it was sent: a loop that parks while a read that does not cover it is in flight does its own short
/// blocking read meanwhile, so no entry waits for the watch. The watch blocks for <see cref="IdleBlock"/> only when every
/// loop is parked (the process is idle); otherwise for <see cref="StreamReadLoop.ReadBlock"/>, so that loops that
/// drain meanwhile join the next read soon.</para>
/// <para>Only where one command may read every partition's stream: a single Redis server. On a Redis Cluster the
/// partitions' streams sit in different hash slots, which one command cannot read (<c>CROSSSLOT</c>); the watch is
/// then not used (or turns itself off at the first such answer) and each loop blocks on its own stream.</para>
/// </remarks>
internal sealed class StreamIdleWatch
{
    /// <summary>How long the watch's read blocks while the whole process is idle.</summary>
    internal static readonly TimeSpan IdleBlock = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan MinOwnBlock = TimeSpan.FromMilliseconds(10);
    private long _readEnds; // when (TimeProvider.GetTimestamp) the read in flight ends at the latest

    private readonly IReadOnlyList<RedisStreamQueue> _queues;
    private readonly Dictionary<string, int> _partitionOf;
    private readonly TimeProvider _time;
    private readonly StreamLeaseKeeper _keeper;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly TaskCompletionSource<StreamDelivery?>?[] _parked;
    private readonly bool[] _covered;
    private readonly StreamDelivery?[] _inbox;
    private readonly SemaphoreSlim _someoneParked = new(0, 1);
    private bool _reading;
    private bool _failing; // the last read failed: loops read on their own until the watch retries
    private volatile bool _off;
    private IConnectionMultiplexer? _reader;
    private Task _loop = Task.CompletedTask;

    /// <summary>Creates the watch over <paramref name="queues"/> (one per partition, in partition order).</summary>
    /// <param name="queues">One queue per partition, in partition order.</param>
    /// <param name="keeper">Holds (keeps alive) every entry read from the moment it is read, until its loop starts or hands it back.</param>
    /// <param name="time">The clock for timers.</param>
    /// <param name="logger">The logger.</param>
    public StreamIdleWatch(IReadOnlyList<RedisStreamQueue> queues, StreamLeaseKeeper keeper, TimeProvider time, ILogger logger)
    {
        _queues = queues;
        _keeper = keeper;
        _partitionOf = queues.ToDictionary(q => (string)q.Stream!, q => q.Partition, StringComparer.Ordinal);
        _time = time;
        _logger = logger;
        _parked = new TaskCompletionSource<StreamDelivery?>?[queues.Count];
        _covered = new bool[queues.Count];
        _inbox = new StreamDelivery?[queues.Count];
    }

    /// <summary>Whether the watch turned itself off (the server answered <c>CROSSSLOT</c>: a Redis Cluster).</summary>
    public bool IsOff => _off;

    /// <summary>Completes when the watch's loop has ended.</summary>
    public Task Stopped => _loop;

    /// <summary>
    /// Whether one command can read every partition's stream on <paramref name="reader"/>: not on a Redis Cluster.
    /// </summary>
    public static bool Applies(IConnectionMultiplexer reader)
    {
        try
        {
            return !reader.GetEndPoints().Any(e => reader.GetServer(e).ServerType == ServerType.Cluster);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Starts watching on <paramref name="reader"/> (a connection used for nothing else) until <paramref name="stop"/> fires.</summary>
    public void Start(IConnectionMultiplexer reader, CancellationToken stop)
    {
        _reader = reader;
        _loop = Task.Run(() => WatchAsync(stop), CancellationToken.None);
    }

    /// <summary>Whether the read in flight covers partition <paramref name="partition"/> (its new entries reach this process).</summary>
    public bool Covers(int partition)
    {
        lock (_lock)
        {
            return !_off && _reading && _covered[partition];
        }
    }

    /// <summary>An entry the watch read for <paramref name="partition"/> while its loop was not parked, or <see langword="null"/>.</summary>
    public StreamDelivery? TakeInbox(int partition)
    {
        lock (_lock)
        {
            var delivery = _inbox[partition];
            _inbox[partition] = null;
            return delivery;
        }
    }

    /// <summary>
    /// Parks the loop of <paramref name="partition"/> (its stream is drained) until the watch reads an entry for it; the
    /// task gives that entry. <paramref name="covered"/> is <see langword="false"/> when the read in flight does not
    /// cover the partition: the loop reads on its own until that read ends (<see cref="UncoveredFor"/>), the next one
    /// covers it. <see langword="null"/> when the watch is off or failing: the loop reads on its own.
    /// </summary>
    public Task<StreamDelivery?>? TryPark(int partition, out bool covered)
    {
        lock (_lock)
        {
            covered = !_reading || _covered[partition];
            if (_off || _failing)
            {
                return null;
            }

            var parked = new TaskCompletionSource<StreamDelivery?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _parked[partition] = parked;
            if (_someoneParked.CurrentCount == 0)
            {
                _someoneParked.Release();
            }

            return parked.Task;
        }
    }

    /// <summary>
    /// How long a loop parked while a read that does not cover it is in flight reads on its own: until that read ends
    /// (the next covers it), at least a few milliseconds.
    /// </summary>
    public TimeSpan UncoveredFor()
    {
        var left = _time.GetElapsedTime(_time.GetTimestamp(), Interlocked.Read(ref _readEnds));
        return left < MinOwnBlock ? MinOwnBlock : left > StreamReadLoop.ReadBlock ? StreamReadLoop.ReadBlock : left;
    }

    /// <summary>
    /// Ends the park of <paramref name="partition"/> (its wait timed out or was cancelled); returns the entry the watch
    /// handed it meanwhile, if any, which the loop now owns.
    /// </summary>
    public StreamDelivery? Unpark(int partition, Task<StreamDelivery?> parked)
    {
        lock (_lock)
        {
            if (_parked[partition] is { } current && current.Task == parked)
            {
                _parked[partition] = null;
            }

            return parked.IsCompletedSuccessfully ? parked.Result : null;
        }
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested && !_off)
        {
            try
            {
                await _someoneParked.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            List<RedisStreamQueue> watched = [];
            lock (_lock)
            {
                for (var p = 0; p < _parked.Length; p++)
                {
                    _covered[p] = _parked[p] is not null;
                    if (_covered[p])
                    {
                        watched.Add(_queues[p]);
                    }
                }

                _reading = watched.Count > 0;
            }

            if (watched.Count == 0)
            {
                continue;
            }

            var block = watched.Count == _queues.Count ? IdleBlock : StreamReadLoop.ReadBlock;
            Interlocked.Exchange(ref _readEnds, _time.GetTimestamp() + (long)(block.TotalSeconds * _time.TimestampFrequency));
            var read = ReadAsync(watched, block);
            IReadOnlyList<StreamDelivery> batch;
            try
            {
                batch = await read.WaitAsync(stop).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: the read may still deliver entries before its connection closes; they go back at once.
                _ = read.ContinueWith(HandBackAsync, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default).Unwrap();
                EndRead([]);
                return;
            }
            catch (Exception ex)
            {
                EndRead([]);
                if (ex.Message.Contains("CROSSSLOT", StringComparison.Ordinal))
                {
                    TurnOff(); // a Redis Cluster after all: each loop blocks on its own stream
                    return;
                }

                _keeper.LostTrack(); // its reply may be lost with entries read in this consumer's name
                ReleaseParked(failing: true);
                await OnReadFailedAsync(ex, watched, ++failures, stop).ConfigureAwait(false);
                lock (_lock)
                {
                    _failing = false;
                }

                continue;
            }

            EndRead(batch);
        }
    }

    /// <summary>Hands each entry read to its parked loop (or its inbox) and wakes the watch for the next read.</summary>
    private void EndRead(IReadOnlyList<StreamDelivery> batch)
    {
        lock (_lock)
        {
            _reading = false;
            Array.Clear(_covered);
            foreach (var delivery in batch)
            {
                // Kept alive from now on: its loop may wait for a handler slot before it starts the entry.
                _keeper.Hold(delivery.Receipt);
                var p = delivery.Partition;
                if (_parked[p] is { } parked)
                {
                    _parked[p] = null;
                    parked.TrySetResult(delivery);
                }
                else
                {
                    _inbox[p] = delivery; // its loop left the park meanwhile (a reclaim sweep): it takes the entry next
                }
            }

            if (_parked.Any(p => p is not null) && _someoneParked.CurrentCount == 0)
            {
                _someoneParked.Release();
            }
        }
    }

    /// <summary>Turns the watch off for good: every loop blocks on its own stream.</summary>
    public void TurnOff()
    {
        _off = true;
        ReleaseParked(failing: false);
    }

    /// <summary>Wakes every parked loop without an entry: it reads on its own (the watch is off or failing).</summary>
    private void ReleaseParked(bool failing)
    {
        lock (_lock)
        {
            _failing = failing;
            for (var p = 0; p < _parked.Length; p++)
            {
                _parked[p]?.TrySetResult(null);
                _parked[p] = null;
            }
        }
    }

    private async Task HandBackAsync(Task<IReadOnlyList<StreamDelivery>> read)
    {
        foreach (var delivery in read.Result)
        {
            try
            {
                await _queues[delivery.Partition].HandBackAsync(delivery.EntryId, delivery.TaskId, delivery.Fields).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                _keeper.LostTrack();
                Log.LeaseEndFailed(_logger, delivery.TaskId, "release", ex);
            }
        }
    }

    /// <summary>One <c>XREADGROUP COUNT 1 BLOCK</c> over the streams of <paramref name="watched"/>.</summary>
    private async Task<IReadOnlyList<StreamDelivery>> ReadAsync(List<RedisStreamQueue> watched, TimeSpan block)
    {
        var args = new object[8 + (2 * watched.Count)];
        args[0] = "GROUP";
        args[1] = RedisStreamQueue.GroupName;
        args[2] = watched[0].Consumer;
        args[3] = "COUNT";
        args[4] = 1;
        args[5] = "BLOCK";
        args[6] = (long)block.TotalMilliseconds;
        args[7] = "STREAMS";
        for (var i = 0; i < watched.Count; i++)
        {
            args[8 + i] = watched[i].Stream;
            args[8 + watched.Count + i] = ">";
        }

        var result = await _reader!.GetDatabase().ExecuteAsync("XREADGROUP", args).ConfigureAwait(false);
        if (result.IsNull || result.Length == 0)
        {
            return [];
        }

        // RESP2: [[key, entries], …]; RESP3: a map { key: entries, … }, which StackExchange.Redis flattens to [key, entries, …].
        var streams = result.Resp3Type == ResultType.Map
            ? Enumerable.Range(0, result.Length / 2).Select(i => (Key: result[2 * i], Entries: result[(2 * i) + 1]))
            : Enumerable.Range(0, result.Length).Select(i => (Key: result[i][0], Entries: result[i][1]));
        var deliveries = new List<StreamDelivery>();
        foreach (var (key, entries) in streams)
        {
            var partition = _partitionOf[(string)key!];
            foreach (var entry in (RedisResult[])entries!)
            {
                var fields = entry[1].IsNull ? [] : (RedisValue[])entry[1]!;
                deliveries.Add(StreamDelivery.Parse((string)entry[0]!, fields, partition));
            }
        }

        return deliveries;
    }

    private Task OnReadFailedAsync(Exception ex, List<RedisStreamQueue> watched, int failures, CancellationToken stop) =>
        StreamReadFailure.RecoverAsync(ex, watched, failures, _logger, _time, stop);
}
