using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Redis;
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
/// slot, then reads as many entries as there are free slots with <c>XREADGROUP … BLOCK</c>. With several, a loop
/// whose stream is drained waits for a free slot, then waits for one entry with <c>XREADGROUP COUNT 1 BLOCK</c>
/// without holding a slot, so an idle partition never takes capacity from a busy one (the entry then waits for a slot,
/// kept alive meanwhile: at most one per partition); while entries keep coming it reads as many as there are free
/// slots without blocking. Either way entries start the moment they are added, and an idle process sends one read
/// per partition per second and keeps one reader connection per partition. Every half visibility timeout each loop
/// first sweeps its stream with <c>XAUTOCLAIM</c> for entries idle longer than the timeout (their consumer died).</para>
/// <para>While a handler runs, its entry's idle time is reset every third of the visibility timeout, so a live
/// handler is never reclaimed. Each end of an entry is one script on its partition's keys that acts only while this
/// consumer owns the entry.</para>
/// <para>Stopping: the read loops stop (entries of a read still in flight are handed back at once), running
/// handlers get the host's shutdown timeout, then are cancelled and hand their entries back.</para>
/// </remarks>
internal sealed partial class RedisStreamsBroker : IDueTaskPort, IHostedService, ILeaseOwner
{
    /// <summary>How long one blocking read waits for an entry; bounds how long stopping waits for the read in flight.</summary>
    internal static readonly TimeSpan ReadBlock = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxReadRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>An empty consumer idle this long belongs to a process that is gone; it is removed from the group.</summary>
    private TimeSpan GoneConsumerIdle => TimeSpan.FromTicks(Math.Max(_visibility.Ticks * 10, TimeSpan.FromMinutes(5).Ticks));

    private readonly StreamPartition[] _parts;
    private readonly PartitionSweep? _sweep;
    private readonly PartitionSweep? _recurringSweep;
    private readonly Func<int, Task<(IConnectionMultiplexer Connection, bool Owned)>> _openReader;
    private readonly TaskExecutor _executor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _concurrency;
    private readonly TimeSpan _visibility;
    private readonly int _maxDeliveries;
    private readonly bool _enabled;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, TaskLease?> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _cancelHandlers = new();
    private readonly CancellationTokenSource _stopKeepAlive = new();
    private readonly KeyValuePair<string, object?> _schedule;
    private readonly int _batchSize;
    private Task _keepAliveLoop = Task.CompletedTask;
    private long _reclaimScans;

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
    public RedisStreamsBroker(
        IReadOnlyList<RedisStreamQueue> queues,
        PartitionSweep? sweep,
        PartitionSweep? recurringSweep,
        Func<int, Task<(IConnectionMultiplexer Connection, bool Owned)>> openReader,
        TaskExecutor executor,
        IOptions<SchedulerOptions> options,
        TimeProvider time,
        ILogger<RedisStreamsBroker> logger)
    {
        _parts = queues.Select(q => new StreamPartition(q)).ToArray();
        _sweep = _parts.Length > 1 ? sweep ?? new PartitionSweep(_parts.Length, time, options.Value.Worker.MaxPollDelay) : null;
        _recurringSweep = recurringSweep;
        _openReader = openReader;
        _executor = executor;
        _time = time;
        _logger = logger;
        _concurrency = options.Value.Execution.MaxConcurrency;
        _visibility = options.Value.Streams.VisibilityTimeout;
        _maxDeliveries = options.Value.Execution.MaxDeliveries;
        _enabled = options.Value.Worker.Enabled;
        _schedule = new("schedule", options.Value.KeyPrefix);
        _batchSize = options.Value.Worker.BatchSize;
        _slots = new SemaphoreSlim(_concurrency, _concurrency);
    }

    /// <summary>This process's consumer name in the group (the same in every partition's group).</summary>
    public string Consumer => _parts[0].Queue.Consumer;

    /// <summary>How many reclaim sweeps this consumer has made, over all partitions (diagnostics and tests).</summary>
    public long ReclaimScans => Interlocked.Read(ref _reclaimScans);

    /// <summary>How many entries this consumer is running now.</summary>
    public int RunningCount => _running.Count(r => r.Value is not null);

    /// <inheritdoc />
    /// <remarks>The streams path: due tasks (and expired leases) move from the schedule into the streams in one atomic step per partition.</remarks>
    public async Task<DuePoll> TakeDueAsync(CancellationToken cancellationToken)
    {
        var result = await PromoteDueAsync(_batchSize, cancellationToken).ConfigureAwait(false);
        if (result.Count > 0)
        {
            SchedulerMetrics.ClaimedCounter.Add(result.Count, _schedule);
        }

        return new DuePoll(result.Count, result.NextDueIn, result.RecurringDispatched, Full: result.Count >= _batchSize);
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
            var (count, next, _, recurring) = await PromoteAsync(_parts[0], maxCount).ConfigureAwait(false);
            return new PromotionResult(count, next, recurring);
        }

        // Fair and idle-free like the partitioned claim: start at the next partition in turn, skip partitions with
        // nothing due until their next due time or a wake-up; a partition whose node is down is skipped for a second.
        var dispatched = 0;
        var result = await _sweep.RunAsync(maxCount, async (p, count) =>
        {
            var (promoted, next, now, recurring) = await PromoteAsync(_parts[p], count).ConfigureAwait(false);
            if (recurring > 0)
            {
                // The promotion added those schedules' next occurrences: the workers prepare the successors now.
                dispatched += recurring;
                _recurringSweep?.Touch(p);
            }

            return new PartitionVisit(promoted, next, now);
        }).ConfigureAwait(false);
        return new PromotionResult(result.Count, result.NextDueIn, dispatched);
    }

    private static async Task<(int Count, TimeSpan? NextDueIn, long Now, int RecurringDispatched)> PromoteAsync(StreamPartition part, int maxCount)
    {
        try
        {
            return await part.Queue.PromoteAsync(maxCount).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: " + ex.Message, ex);
        }
    }
}

/// <summary>The result of <see cref="RedisStreamsBroker.PromoteDueAsync"/>.</summary>
/// <param name="Count">How many tasks moved into the streams.</param>
/// <param name="NextDueIn">Time until the next pending task is due, or <see langword="null"/> when nothing is pending.</param>
/// <param name="RecurringDispatched">How many of the tasks were recurring occurrences whose successors were added.</param>
internal readonly record struct PromotionResult(int Count, TimeSpan? NextDueIn, int RecurringDispatched = 0);
