namespace Athomic.Scheduler.Storage;

/// <summary>
/// The fair, idle-free visit of every partition for one poll, shared by <see cref="PartitionedScheduleStore.ClaimAsync"/>
/// (the lease path) and the Redis Streams broker's promotion: each sweep starts at the next partition in turn and
/// fills the batch from the partitions after it; a partition that reported nothing due before time T is skipped until
/// T, until it is touched (a wake-up or a local write), or at most <c>maxSkip</c> (a safety net for a lost wake-up).
/// </summary>
internal sealed class PartitionSweep
{
    private const long UnavailableRetryMs = 1000;
    private readonly long[] _skipUntil;
    private readonly long[] _nextDue;
    private readonly TimeProvider _time;
    private readonly long _maxSkipMs;
    private int _rotation = -1;

    public PartitionSweep(int count, TimeProvider time, TimeSpan maxSkip)
    {
        _skipUntil = new long[count];
        _nextDue = new long[count];
        _time = time;
        _maxSkipMs = (long)maxSkip.TotalMilliseconds;
    }

    /// <summary>The number of partitions.</summary>
    public int Count => _nextDue.Length;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Visits the partitions that may have something due, in turn, until <paramref name="maxCount"/> items were taken.
    /// </summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="visit">Takes up to the given count from a partition; throws <see cref="SchedulerUnavailableException"/> when its node is down.</param>
    /// <returns>How many were taken, the time until the soonest partition's next item (zero when the batch filled), and the store's clock.</returns>
    /// <exception cref="SchedulerUnavailableException">Every partition asked was unreachable.</exception>
    public async Task<SweepResult> RunAsync(int maxCount, Func<int, int, Task<PartitionVisit>> visit)
    {
        var n = _nextDue.Length;
        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)n);
        var taken = 0;
        long storeNow = 0;
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

            PartitionVisit result;
            asked++;
            try
            {
                result = await visit(p, maxCount - taken).ConfigureAwait(false);
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

            taken += result.Count;
            storeNow = result.NowMilliseconds;
            full = taken >= maxCount;

            // Timed from when the call was sent: never later than the partition's real next due time.
            var next = full || result.NextDueIn is { Ticks: <= 0 } ? 0
                : result.NextDueIn is { } due ? sent + (long)due.TotalMilliseconds
                : long.MaxValue;
            Volatile.Write(ref _nextDue[p], next);
            Volatile.Write(ref _skipUntil[p], next == 0 ? 0 : Math.Min(next, sent + _maxSkipMs));
        }

        if (unavailable is not null && failures == asked)
        {
            throw new SchedulerUnavailableException("No partition of the schedule is reachable: " + unavailable.Message, unavailable);
        }

        return new SweepResult(taken, full ? TimeSpan.Zero : NextDueIn(), storeNow == 0 ? Now : storeNow);
    }

    /// <summary>Partition <paramref name="p"/> may have something due sooner: visit it at the next sweep.</summary>
    public void Touch(int p)
    {
        Volatile.Write(ref _nextDue[p], 0);
        Volatile.Write(ref _skipUntil[p], 0);
    }

    /// <summary>The time until the soonest partition's next item; <see langword="null"/> when every partition is empty.</summary>
    private TimeSpan? NextDueIn()
    {
        var soonest = long.MaxValue;
        for (var p = 0; p < _nextDue.Length; p++)
        {
            soonest = Math.Min(soonest, Volatile.Read(ref _nextDue[p]));
        }

        return soonest == long.MaxValue ? null : TimeSpan.FromMilliseconds(Math.Max(0, soonest - Now));
    }
}

/// <summary>What one partition gave in a sweep.</summary>
/// <param name="Count">How many items it gave.</param>
/// <param name="NextDueIn">The time until its next item, <see langword="null"/> when it holds none.</param>
/// <param name="NowMilliseconds">The store's clock (Unix ms) when it answered.</param>
internal readonly record struct PartitionVisit(int Count, TimeSpan? NextDueIn, long NowMilliseconds);

/// <summary>The result of <see cref="PartitionSweep.RunAsync"/>.</summary>
/// <param name="Count">How many items the sweep took.</param>
/// <param name="NextDueIn">Zero when the batch filled, else the time until the soonest partition's next item (<see langword="null"/>: none).</param>
/// <param name="NowMilliseconds">The store's clock (Unix ms).</param>
internal readonly record struct SweepResult(int Count, TimeSpan? NextDueIn, long NowMilliseconds);
