namespace Athomic.Scheduler.Storage;

/// <summary>What an operator watches in one partition, read in one step on the store's clock.</summary>
/// <param name="Partition">The partition index.</param>
/// <param name="NowMilliseconds">The store's time of the read (Unix ms).</param>
/// <param name="Pending">Tasks waiting in the schedule, due or not.</param>
/// <param name="InFlight">Tasks claimed under a lease, or queued in the partition's stream.</param>
/// <param name="DeadLetters">Dead letters kept.</param>
/// <param name="OldestDueMilliseconds">The due time of the first pending task (Unix ms) not waiting for flow control, or <see langword="null"/> when there is none.</param>
/// <param name="NewestDeadLetterMilliseconds">When the newest dead letter was written (Unix ms), or <see langword="null"/> when there is none.</param>
internal readonly record struct PartitionStatistics(
    int Partition, long NowMilliseconds, long Pending, long InFlight, long DeadLetters, long? OldestDueMilliseconds, long? NewestDeadLetterMilliseconds)
{
    /// <summary>Recurring schedules kept.</summary>
    public long Recurring { get; init; }

    /// <summary>How long the first pending task is overdue (zero when it is not due yet or nothing is pending).</summary>
    public TimeSpan Lateness => OldestDueMilliseconds is { } due && due < NowMilliseconds ? TimeSpan.FromMilliseconds(NowMilliseconds - due) : TimeSpan.Zero;
}

/// <summary>A store (or one partition of it) that can read its <see cref="PartitionStatistics"/> cheaply: one call.</summary>
internal interface IStatisticsSource
{
    /// <summary>Reads the counts of this store as partition <paramref name="partition"/>.</summary>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken);
}

/// <summary>The counts of every partition of a schedule, and when (local clock) they were read.</summary>
internal sealed record ScheduleSnapshot(DateTimeOffset ReadAt, IReadOnlyList<PartitionStatistics> Partitions)
{
    /// <summary>The largest lateness over the partitions.</summary>
    public TimeSpan Lateness => Partitions.Count == 0 ? TimeSpan.Zero : Partitions.Max(p => p.Lateness);
}

/// <summary>
/// Reads and caches the <see cref="ScheduleSnapshot"/> of one schedule for the gauges and the health checks: one call
/// per partition per read, concurrent readers share one read, and a read younger than the caller's maximum age is
/// served from the cache. Nothing reads on a timer: the store is asked only when someone observes.
/// </summary>
internal sealed class ScheduleStatistics
{
    private readonly IReadOnlyList<IStatisticsSource> _partitions;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private Task<ScheduleSnapshot>? _reading;
    private ScheduleSnapshot? _latest;

    public ScheduleStatistics(string schedule, IReadOnlyList<IStatisticsSource> partitions, TimeProvider time)
    {
        Schedule = schedule;
        _partitions = partitions;
        _time = time;
    }

    /// <summary>The schedule's key prefix (the <c>schedule</c> tag of the gauges).</summary>
    public string Schedule { get; }

    /// <summary>How many reads went to the store (tests: the cache and the single flight at work).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    private long _reads;

    /// <summary>The latest snapshot read successfully, or <see langword="null"/> (none yet, or the last read failed).</summary>
    public ScheduleSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>A snapshot at most <paramref name="maxAge"/> old: the cached one, the read under way, or a new read.</summary>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    public Task<ScheduleSnapshot> ReadAsync(TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (Latest is { } latest && _time.GetUtcNow() - latest.ReadAt <= maxAge)
        {
            return Task.FromResult(latest);
        }

        return Refresh().WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The latest snapshot for a synchronous observer (a gauge callback); starts a read in the background when it is
    /// older than <paramref name="maxAge"/>, whose result the next observation sees.
    /// </summary>
    public ScheduleSnapshot? Observe(TimeSpan maxAge)
    {
        var latest = Latest;
        if (latest is null || _time.GetUtcNow() - latest.ReadAt > maxAge)
        {
            _ = Refresh().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        return latest;
    }

    private Task<ScheduleSnapshot> Refresh()
    {
        lock (_gate)
        {
            return _reading ??= ReadAllAsync();
        }
    }

    private async Task<ScheduleSnapshot> ReadAllAsync()
    {
        await Task.Yield();
        try
        {
            Interlocked.Increment(ref _reads);
            var reads = new Task<PartitionStatistics>[_partitions.Count];
            for (var i = 0; i < reads.Length; i++)
            {
                reads[i] = _partitions[i].ReadStatisticsAsync(i, CancellationToken.None);
            }

            var snapshot = new ScheduleSnapshot(_time.GetUtcNow(), await Task.WhenAll(reads).ConfigureAwait(false));
            Volatile.Write(ref _latest, snapshot);
            return snapshot;
        }
        catch
        {
            // Gauges report nothing rather than stale counts while the store cannot be read.
            Volatile.Write(ref _latest, null);
            throw;
        }
        finally
        {
            lock (_gate)
            {
                _reading = null;
            }
        }
    }
}
