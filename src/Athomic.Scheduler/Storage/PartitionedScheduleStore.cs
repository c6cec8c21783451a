namespace Athomic.Scheduler.Storage;

/// <summary>
/// One logical schedule over several partition stores (on Redis: one hash tag each, so a Redis Cluster spreads them
/// over its masters). A task lives in the partition <see cref="TaskPartitioner.PartitionOf"/> picks from its id, so
/// cancel, reschedule, get and every completion go straight to it; claims and dead-letter listings visit all.
/// </summary>
/// <remarks>
/// Claims are fair and cheap: each claim starts at the next partition in turn, and a partition that reported
/// nothing due before time T is skipped until T, until a wake-up from that partition, or at most
/// <c>maxSkip</c> (a safety net for a lost wake-up): an idle partition costs no command between the worker's polls.
/// </remarks>
public sealed partial class PartitionedScheduleStore : IScheduleStore, IRecurringStore
{
    private const long UnavailableRetryMs = 1000;
    private readonly IScheduleStore[] _partitions;
    private readonly long[] _skipUntil;
    private readonly long[] _nextDue;
    private readonly TimeProvider _time;
    private readonly long _maxSkipMs;
    private int _rotation = -1;

    /// <summary>Creates the store.</summary>
    /// <param name="partitions">The partition stores, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
    /// <param name="time">The local clock, used only to time how long an idle partition is skipped.</param>
    /// <param name="maxSkip">The longest an idle partition is skipped without a wake-up. Default 30 s.</param>
    public PartitionedScheduleStore(IReadOnlyList<IScheduleStore> partitions, TimeProvider? time = null, TimeSpan? maxSkip = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
        {
            throw new ArgumentException("At least one partition is needed.", nameof(partitions));
        }

        _partitions = [.. partitions];
        _skipUntil = new long[_partitions.Length];
        _nextDue = new long[_partitions.Length];
        _recurringSkipUntil = new long[_partitions.Length];
        _recurringNextDue = new long[_partitions.Length];
        _time = time ?? TimeProvider.System;
        _maxSkipMs = (long)(maxSkip ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
    }

    /// <summary>The number of partitions.</summary>
    public int PartitionCount => _partitions.Length;

    /// <summary>The store of partition <paramref name="index"/>.</summary>
    /// <param name="index">The partition index.</param>
    /// <returns>The partition's store.</returns>
    public IScheduleStore Partition(int index) => _partitions[index];

    private IScheduleStore For(string taskId) => _partitions[IndexOf(taskId)];

    private int IndexOf(string taskId) => TaskPartitioner.PartitionOf(taskId, _partitions.Length);

    /// <summary>Runs a write that may make <paramref name="taskId"/>'s partition due sooner, then clears its skip.</summary>
    private async Task<T> Touching<T>(string taskId, Func<IScheduleStore, Task<T>> write)
    {
        var p = IndexOf(taskId);
        var result = await write(_partitions[p]).ConfigureAwait(false);
        Touch(p);
        return result;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var n = _partitions.Length;
        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)n);
        var tasks = new List<ClaimedEntry>();
        long storeNow = 0;
        var recurring = 0;
        var full = false;
        SchedulerUnavailableException? unavailable = null;
        int asked = 0, failures = 0;
        for (var k = 0; k < n && !full; k++)
        {
            var p = (start + k) % n;
            var sent = Now;
            if (sent < Volatile.Read(ref _skipUntil[p]))
            {
                continue;
            }

            ClaimBatch batch;
            asked++;
            try
            {
                batch = await _partitions[p].ClaimAsync(maxCount - tasks.Count, lease, cancellationToken).ConfigureAwait(false);
            }
            catch (SchedulerUnavailableException ex)
            {
                // One partition's node is down: the others keep working; this one is tried again after a second.
                unavailable = ex;
                failures++;
                Volatile.Write(ref _nextDue[p], sent + UnavailableRetryMs);
                Volatile.Write(ref _skipUntil[p], sent + UnavailableRetryMs);
                continue;
            }

            tasks.AddRange(batch.Tasks);
            storeNow = batch.NowMilliseconds;
            recurring += batch.RecurringDispatched;
            if (batch.RecurringDispatched > 0)
            {
                TouchRecurring(p);
            }

            full = tasks.Count >= maxCount;

            // Timed from when the claim was sent: never later than the partition's real next due time.
            var next = full || batch.NextDueIn is { Ticks: <= 0 } ? 0
                : batch.NextDueIn is { } due ? sent + (long)due.TotalMilliseconds
                : long.MaxValue;
            Volatile.Write(ref _nextDue[p], next);
            Volatile.Write(ref _skipUntil[p], next == 0 ? 0 : Math.Min(next, sent + _maxSkipMs));
        }

        if (unavailable is not null && failures == asked)
        {
            throw new SchedulerUnavailableException("No partition of the schedule is reachable: " + unavailable.Message, unavailable);
        }

        return new ClaimBatch(tasks, full ? TimeSpan.Zero : NextDueIn(), storeNow == 0 ? Now : storeNow, recurring);
    }

    /// <summary>The time until the soonest partition's next task; <see langword="null"/> when every partition is empty.</summary>
    private TimeSpan? NextDueIn()
    {
        var soonest = long.MaxValue;
        for (var p = 0; p < _nextDue.Length; p++)
        {
            soonest = Math.Min(soonest, Volatile.Read(ref _nextDue[p]));
        }

        return soonest == long.MaxValue ? null : TimeSpan.FromMilliseconds(Math.Max(0, soonest - Now));
    }

    /// <summary>Partition <paramref name="p"/> may have something due sooner: claim it at the next poll.</summary>
    private void Touch(int p)
    {
        Volatile.Write(ref _nextDue[p], 0);
        Volatile.Write(ref _skipUntil[p], 0);
        TouchRecurring(p);
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEarlierTask);
        var subscriptions = new List<IAsyncDisposable>(_partitions.Length);
        try
        {
            for (var p = 0; p < _partitions.Length; p++)
            {
                var index = p;
                subscriptions.Add(await _partitions[p].SubscribeAsync(
                    () =>
                    {
                        Touch(index);
                        onEarlierTask();
                    },
                    cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            await new Subscriptions(subscriptions).DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new Subscriptions(subscriptions);
    }

    private sealed class Subscriptions(List<IAsyncDisposable> subscriptions) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
