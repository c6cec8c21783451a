using System.Collections.Concurrent;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Executes tasks from the Redis stream <c>{prefix}:stream</c> through one consumer group shared by every worker
/// process. Due tasks reach the stream straight from the schedule (<see cref="PromoteDueAsync"/>, one atomic script).
/// </summary>
/// <remarks>
/// <para>One read loop per process: it waits for a free handler slot (<c>Execution:MaxConcurrency</c>), then reads as
/// many entries as there are free slots with <c>XREADGROUP … BLOCK</c> on a connection of its own, so entries start
/// the moment they are added and an idle process sends one command per second. Every half visibility timeout it
/// first sweeps the group with <c>XAUTOCLAIM</c> for entries idle longer than the timeout (their consumer died).</para>
/// <para>While a handler runs, its entry's idle time is reset every third of the visibility timeout, so a live
/// handler is never reclaimed. Each end of an entry is one script that acts only while this consumer owns it.</para>
/// <para>Stopping: the read loop stops (entries of a read still in flight are handed back at once), running
/// handlers get the host's shutdown timeout, then are cancelled and hand their entries back.</para>
/// </remarks>
internal sealed partial class RedisStreamsBroker : ISchedulePromotingBroker, IHostedService, ILeaseOwner
{
    /// <summary>How long one blocking read waits for an entry; bounds how long stopping waits for the read in flight.</summary>
    internal static readonly TimeSpan ReadBlock = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxReadRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>An empty consumer idle this long belongs to a process that is gone; it is removed from the group.</summary>
    private TimeSpan GoneConsumerIdle => TimeSpan.FromTicks(Math.Max(_visibility.Ticks * 10, TimeSpan.FromMinutes(5).Ticks));

    private readonly RedisStreamQueue _queue;
    private readonly Func<Task<(IConnectionMultiplexer Connection, bool Owned)>> _openReader;
    private readonly TaskExecutor _executor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _concurrency;
    private readonly TimeSpan _visibility;
    private readonly bool _enabled;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, TaskLease> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _cancelHandlers = new();
    private readonly CancellationTokenSource _stopKeepAlive = new();
    private readonly KeyValuePair<string, object?> _schedule;
    private (IConnectionMultiplexer Connection, bool Owned) _reader;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAliveLoop = Task.CompletedTask;
    private RedisValue _reclaimCursor = "0-0";
    private long _nextReclaim;
    private long _reclaimScans;
    private long _nextCleanup;

    public RedisStreamsBroker(
        RedisStreamQueue queue,
        Func<Task<(IConnectionMultiplexer Connection, bool Owned)>> openReader,
        TaskExecutor executor,
        IOptions<SchedulerOptions> options,
        TimeProvider time,
        ILogger<RedisStreamsBroker> logger)
    {
        _queue = queue;
        _openReader = openReader;
        _executor = executor;
        _time = time;
        _logger = logger;
        _concurrency = options.Value.Execution.MaxConcurrency;
        _visibility = options.Value.Streams.VisibilityTimeout;
        _enabled = options.Value.Worker.Enabled;
        _schedule = new("schedule", options.Value.KeyPrefix);
        _slots = new SemaphoreSlim(_concurrency, _concurrency);
    }

    /// <summary>This process's consumer name in the group.</summary>
    public string Consumer => _queue.Consumer;

    /// <summary>How many reclaim sweeps this consumer has made (diagnostics and tests).</summary>
    public long ReclaimScans => Interlocked.Read(ref _reclaimScans);

    /// <summary>How many entries this consumer is running now.</summary>
    public int RunningCount => _running.Count;

    public async Task<PromotionResult> PromoteDueAsync(int maxCount, CancellationToken cancellationToken)
    {
        try
        {
            var (count, next, recurring) = await _queue.PromoteAsync(maxCount).ConfigureAwait(false);
            return new PromotionResult(count, next, recurring);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: " + ex.Message, ex);
        }
    }

    /// <summary>A lease claimed by the worker's lease path (not used when this broker promotes): run it here.</summary>
    public async ValueTask DispatchAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            try
            {
                await _executor.ExecuteAsync(lease, _cancelHandlers.Token).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }, CancellationToken.None);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return; // Worker:Enabled = false: this host only schedules; it must not take entries from the stream.
        }

        _reader = await _openReader().ConfigureAwait(false);
        try
        {
            await _queue.EnsureGroupAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex); // the read loop creates the group once Redis answers
        }

        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        _keepAliveLoop = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
        Log.StreamsBrokerStarted(_logger, Consumer, RedisStreamQueue.GroupName, _concurrency, _visibility);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        await _stopReading.CancelAsync().ConfigureAwait(false);
        await _readLoop.ConfigureAwait(false);

        // Every slot back means every handler ended; past the shutdown timeout, handlers are cancelled and hand back.
        var drained = 0;
        try
        {
            for (; drained < _concurrency; drained++)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await _cancelHandlers.CancelAsync().ConfigureAwait(false);
        }

        for (; drained < _concurrency; drained++)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _stopKeepAlive.CancelAsync().ConfigureAwait(false);
        await _keepAliveLoop.ConfigureAwait(false);
        try
        {
            await _queue.RemoveGoneConsumersAsync(TimeSpan.Zero, self: true).ConfigureAwait(false); // only when it holds nothing
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex);
        }

        if (_reader is { Owned: true, Connection: { } reader })
        {
            await reader.CloseAsync().ConfigureAwait(false);
            reader.Dispose();
        }

        Log.StreamsBrokerStopped(_logger, Consumer);
    }
}
