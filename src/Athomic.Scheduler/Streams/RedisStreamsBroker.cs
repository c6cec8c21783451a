using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// Executes tasks from the Redis stream <c>{prefix}:stream</c> of each partition through one consumer group shared by
/// every worker process. Due tasks reach the stream of their partition straight from that partition's schedule
/// (<see cref="PromoteDueAsync"/>, one atomic single-slot script per partition).
/// </summary>
/// <remarks>
/// <para>One read loop per partition, each on a connection of its own: on a Redis Cluster the partitions' streams sit
/// in different slots, usually on different nodes, so one <c>XREADGROUP</c> cannot read them together; and a blocking
/// read holds its socket, so two partitions sharing a connection would queue behind each other's blocks. The handler
/// slots (<c>Execution:MaxConcurrency</c>) are shared by all loops. With one partition the loop waits for a free
/// slot, then reads as many entries as there are free slots with <c>XREADGROUP … BLOCK</c> (up to 15 s while idle).
/// With several, a loop whose stream is drained waits for a free slot, then waits for one entry without holding a
/// slot, so an idle partition never takes capacity from a busy one (the entry then waits for a slot, kept alive
/// meanwhile: at most one per partition); on a single server it parks in the <see cref="StreamIdleWatch"/>, whose one
/// read waits for every parked partition, on a cluster it blocks on its own stream. While entries keep coming it reads
/// as many as there are free slots without blocking. Either way entries start the moment they are added, and an idle
/// process sends one read per 15 s (per partition on a cluster). Each loop first sweeps its stream with
/// <c>XAUTOCLAIM</c> for entries idle longer than the timeout (their consumer died), every half visibility timeout or
/// every 3 s times the partition count when longer (not for a while after a command of this process on the streams
/// failed, which may have left an entry pending in its name that it no longer holds: <see cref="StreamLeaseKeeper.LostTrack"/>).</para>
/// <para>While a handler runs, its entry's idle time is reset every third of the visibility timeout, so a live
/// handler is never reclaimed; each partition is kept alive on its own, and a reset that failed is retried at once.
/// Each end of an entry is one script on its partition's keys that acts only while this consumer owns the entry.</para>
/// <para>Stopping: the read loops stop (entries of a read still in flight are handed back at once), running
/// handlers get the host's shutdown timeout, then are cancelled and hand their entries back.</para>
/// <para>This class is the port (promotion) and the lifetime, and composes the parts: one <see cref="StreamReadLoop"/>
/// per partition, the <see cref="StreamEntryRunner"/> that owns the shared handler slots and runs the entries, and the
/// <see cref="StreamLeaseKeeper"/> that holds the entries, keeps them alive and ends them.</para>
/// </remarks>
internal sealed class RedisStreamsBroker : IDueTaskPort, IHostedService
{
    private readonly IReadOnlyList<RedisStreamQueue> _queues;
    private readonly PartitionSweep? _sweep;
    private readonly PartitionSweep? _recurringSweep;
    private readonly Func<int, Task<(IConnectionMultiplexer Connection, bool Owned)>> _openReader;
    private readonly StreamLeaseKeeper _keeper;
    private readonly StreamConsumerName _name;
    private readonly StreamEntryRunner _runner;
    private readonly StreamReadLoop[] _loops;
    private readonly StreamIdleWatch? _watch;
    private (IConnectionMultiplexer Connection, bool Owned)? _watchReader;
    private readonly ILogger _logger;
    private readonly int _concurrency;
    private readonly TimeSpan _visibility;
    private readonly Func<TimeSpan?> _connectionTimeout;
    private readonly Flow.FlowGate? _gate;
    private bool _gateStarted;
    private readonly bool _enabled;
    private readonly int _batchSize;
    private readonly KeyValuePair<string, object?> _schedule;
    private readonly CancellationTokenSource _stopReading = new();

    /// <summary>Creates the broker.</summary>
    /// <param name="queues">One queue per partition, in partition order.</param>
    /// <param name="sweep">
    /// With several partitions: which partitions may have something due (the partitioned store's own, so wake-ups and
    /// writes through the store reach the promotion). <see langword="null"/> with one partition.
    /// </param>
    /// <param name="recurringSweep">
    /// With several partitions: the partitioned store's view of which partitions have recurring schedules to look at;
    /// a promotion that added recurring occurrences marks its partition there.
    /// </param>
    /// <param name="openReader">Opens the read connection of a partition.</param>
    /// <param name="executor">Runs handlers.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock for timers.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="gate">Flow control (limits, pauses), or <see langword="null"/> when the store has none.</param>
    /// <param name="connectionTimeout">The longest the Redis client waits for a reply (the connection's timeout), if known.</param>
    public RedisStreamsBroker(
        IReadOnlyList<RedisStreamQueue> queues,
        PartitionSweep? sweep,
        PartitionSweep? recurringSweep,
        Func<int, Task<(IConnectionMultiplexer Connection, bool Owned)>> openReader,
        TaskExecutor executor,
        IOptions<SchedulerOptions> options,
        TimeProvider time,
        ILogger<RedisStreamsBroker> logger,
        Flow.FlowGate? gate = null,
        Func<TimeSpan?>? connectionTimeout = null)
    {
        _gate = gate;
        _connectionTimeout = connectionTimeout ?? (() => null);
        _queues = queues;
        _sweep = queues.Count > 1 ? sweep ?? new PartitionSweep(queues.Count, time, options.Value.Worker.MaxPollDelay) : null;
        _recurringSweep = recurringSweep;
        _openReader = openReader;
        _logger = logger;
        _concurrency = options.Value.Execution.MaxConcurrency;
        _visibility = options.Value.Streams.VisibilityTimeout;
        _enabled = options.Value.Worker.Enabled;
        _batchSize = options.Value.Worker.BatchSize;
        _schedule = new("schedule", options.Value.KeyPrefix);
        _keeper = new StreamLeaseKeeper(queues, _visibility, time, logger, _schedule);
        _name = new StreamConsumerName(queues[0], _visibility, time, logger);
        _runner = new StreamEntryRunner(queues, _keeper, executor, _concurrency, time, logger, _schedule, _visibility, gate);
        var maxDeliveries = options.Value.Execution.MaxDeliveries;
        _watch = queues.Count > 1 ? new StreamIdleWatch(queues, _keeper, time, logger) : null;
        _loops = queues
            .Select(q => new StreamReadLoop(q, _runner, _keeper, shared: queues.Count > 1, queues.Count, _watch, _visibility, maxDeliveries, time, logger, _schedule))
            .ToArray();
    }

    /// <summary>This process's consumer name in the group (the same in every partition's group).</summary>
    public string Consumer => _queues[0].Consumer;

    /// <summary>How many reclaim sweeps this consumer has made, over all partitions (diagnostics and tests).</summary>
    public long ReclaimScans => _loops.Sum(l => l.ReclaimScans);

    /// <summary>How many entries this consumer is running now.</summary>
    public int RunningCount => _keeper.RunningCount;

    /// <inheritdoc />
    /// <remarks>The streams path: due tasks (and expired leases) move from the schedule into the streams in one atomic step per partition.</remarks>
    public async Task<DuePoll> TakeDueAsync(CancellationToken cancellationToken)
    {
        if (_gate is not null)
        {
            if (!_gateStarted)
            {
                // Nothing is promoted before the paused handlers are known and the limits published.
                await _gate.StartAsync(cancellationToken).ConfigureAwait(false);
                _gateStarted = true;
            }

            // Waiting tasks whose handler may run more now are claimed with a lease that is already over, so the
            // promotion below moves them into the stream first (expired leases go first), where they are gated again.
            foreach (var handler in _gate.TakeReady())
            {
                await _gate.UnparkAsync(handler, _batchSize, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
        }

        var result = await PromoteDueAsync(_batchSize, cancellationToken).ConfigureAwait(false);
        if (result.Count > 0)
        {
            SchedulerMetrics.ClaimedCounter.Add(result.Count, _schedule);
        }

        var nextDueIn = result.NextDueIn;
        if (_gate is not null)
        {
            _gate.ArmSafetyNet(result.Waiting);
            if (_gate.NextReadyIn() is { } ready && (nextDueIn is null || ready < nextDueIn))
            {
                nextDueIn = ready;
            }
        }

        return new DuePoll(result.Count, nextDueIn, result.RecurringDispatched, Full: result.Count >= _batchSize);
    }

    /// <summary>Moves up to <paramref name="maxCount"/> due tasks (and expired in-flight leases) into the partitions' streams.</summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many moved and when the next task falls due.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    public async Task<PromotionResult> PromoteDueAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_sweep is null)
        {
            return await _queues[0].PromoteAsync(maxCount).ConfigureAwait(false);
        }

        // Fair and idle-free like the partitioned claim: start at the next partition in turn, skip partitions with
        // nothing due until their next due time or a wake-up; a partition whose node is down is skipped for a second.
        var dispatched = 0;
        long waiting = 0;
        var result = await _sweep.RunAsync(maxCount, async (p, count) =>
        {
            var (promoted, next, now, recurring, parked) = await _queues[p].PromoteAsync(count).ConfigureAwait(false);
            waiting += parked;
            if (recurring > 0)
            {
                // The promotion added those schedules' next occurrences: the workers prepare the successors now.
                dispatched += recurring;
                _recurringSweep?.Touch(p);
            }

            return new PartitionVisit(promoted, next, now);
        }).ConfigureAwait(false);
        return new PromotionResult(result.Count, result.NextDueIn, result.NowMilliseconds, dispatched, waiting);
    }

    /// <summary>
    /// Takes this process's consumer name (<see cref="StreamConsumerName"/>), opens the reader connections, creates the
    /// consumer groups, starts the read loops and the keep-alive. Starting does not wait for Redis: when it cannot be
    /// reached, the loops read once the name is taken.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for a consumer name that a process which ended without stopping still holds.</param>
    /// <returns>A task that completes when the loops run.</returns>
    /// <exception cref="InvalidOperationException">Another running process uses this consumer name.</exception>
    /// <exception cref="OptionsValidationException">
    /// The visibility timeout is shorter than twice the connection's timeout: a keep-alive sent a third into it that
    /// waits the whole connection timeout must still leave time for its retry before the entries count as abandoned.
    /// </exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return; // Worker:Enabled = false: this host only schedules; it must not take entries from the stream.
        }

        if (_connectionTimeout() is { } timeout && _visibility < 2 * timeout)
        {
            throw new OptionsValidationException(
                nameof(SchedulerOptions),
                typeof(SchedulerOptions),
                [$"Athomic:Scheduler:Streams:VisibilityTimeout ({_visibility}) must be at least twice the Redis connection's timeout ({timeout}, the larger of syncTimeout and asyncTimeout): a keep-alive of the running entries that waits that long for a reply must still be retried before another worker may take them over. Raise VisibilityTimeout or lower the connection's timeouts."]);
        }

        await _name.StartAsync(cancellationToken).ConfigureAwait(false);
        var readers = await Task.WhenAll(_loops.Select(l => _openReader(l.Partition))).ConfigureAwait(false);
        if (_watch is not null)
        {
            // The idle watch reads with a connection of its own (the loops block on theirs while not all are idle).
            var reader = await _openReader(_queues.Count).ConfigureAwait(false);
            _watchReader = reader;
            if (StreamIdleWatch.Applies(reader.Connection))
            {
                _watch.Start(reader.Connection, _stopReading.Token);
            }
            else
            {
                _watch.TurnOff();
            }
        }

        foreach (var queue in _queues)
        {
            try
            {
                await queue.EnsureGroupAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex); // the read loop creates the group once Redis answers
            }
        }

        for (var i = 0; i < _loops.Length; i++)
        {
            _loops[i].Start(readers[i], _stopReading.Token, _name.Taken);
        }

        _keeper.StartKeepAlive();
        Log.StreamsBrokerStarted(_logger, Consumer, RedisStreamQueue.GroupName, _queues.Count, _concurrency, _visibility);
    }

    /// <summary>
    /// Stops the read loops (entries of a read still in flight are handed back at once), waits for running handlers
    /// until <paramref name="cancellationToken"/> fires (then cancels them: they hand their entries back), stops the
    /// keep-alive, leaves the consumer groups and closes the reader connections it opened.
    /// </summary>
    /// <param name="cancellationToken">Fires when the host's shutdown timeout is over.</param>
    /// <returns>A task that completes when the broker stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        await _stopReading.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops.Select(l => l.Stopped).Append(_watch?.Stopped ?? Task.CompletedTask)).ConfigureAwait(false);

        // A blocking read may still wait (the loops stopped waiting for it): closing its connection ends it.
        foreach (var loop in _loops)
        {
            await loop.CloseReaderAsync().ConfigureAwait(false);
        }

        await StreamReadLoop.CloseAsync(_watchReader).ConfigureAwait(false);

        // Every slot back means every handler ended; past the shutdown timeout, handlers are cancelled and hand back.
        await _runner.DrainAsync(cancellationToken).ConfigureAwait(false);
        await _keeper.StopKeepAliveAsync().ConfigureAwait(false);
        foreach (var queue in _queues)
        {
            try
            {
                await queue.RemoveGoneConsumersAsync(TimeSpan.Zero, self: true).ConfigureAwait(false); // only when it holds nothing
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
            {
                Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex);
            }
        }

        await _name.StopAsync().ConfigureAwait(false);
        Log.StreamsBrokerStopped(_logger, Consumer);
    }
}
