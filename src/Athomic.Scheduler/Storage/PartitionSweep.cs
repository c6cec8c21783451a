using System.Runtime.ExceptionServices;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// The fair, idle-free visit of every partition for one poll, shared by <see cref="PartitionedScheduleStore.ClaimAsync(int, TimeSpan, CancellationToken)"/>
/// (the lease path) and the Redis Streams broker's promotion: each sweep starts at the next partition in turn and
/// fills the batch from the partitions after it; a partition that reported nothing due before time T is skipped until
/// T, until it is touched (a wake-up or a local write), or at most <c>maxSkip</c> (a safety net for a lost wake-up).
/// </summary>
/// <remarks>
/// A partition that fails (its node is down, or answers an error such as BUSY, READONLY, MASTERDOWN or OOM) is
/// skipped with its own backoff (1 s, doubling up to <c>maxSkip</c>) and logged, while the sweep goes on with the
/// others and keeps what they gave; the sweep fails only when every partition it asked failed.
/// </remarks>
internal sealed class PartitionSweep
{
    private const long RetryBaseMs = 1000;
    private readonly long[] _skipUntil;
    private readonly long[] _nextDue;
    private readonly int[] _failures;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long _maxSkipMs;
    private readonly ILogger _logger;
    private readonly string _step;
    private int _rotation = -1;

    public PartitionSweep(int count, TimeProvider time, TimeSpan maxSkip, ILogger? logger = null, string step = "claim")
    {
        _skipUntil = new long[count];
        _nextDue = new long[count];
        _failures = new int[count];
        _time = time;
        _origin = time.GetTimestamp();
        _maxSkipMs = (long)maxSkip.TotalMilliseconds;
        _logger = logger ?? NullLogger.Instance;
        _step = step;
    }

    /// <summary>The number of partitions.</summary>
    public int Count => _nextDue.Length;

    /// <summary>
    /// The local clock of the skips and backoffs: milliseconds on the monotonic timestamp since this sweep was made,
    /// so a host's wall clock stepping back (or forward) neither stalls a partition nor cuts a wait short.
    /// </summary>
    private long Now => (long)_time.GetElapsedTime(_origin).TotalMilliseconds;

    /// <summary>
    /// Visits the partitions that may have something due, in turn, until <paramref name="maxCount"/> items were taken.
    /// </summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="visit">Takes up to the given count from a partition; throws when the partition fails.</param>
    /// <returns>How many were taken, the time until the soonest partition's next item (zero when the batch filled), and the store's clock.</returns>
    /// <exception cref="SchedulerUnavailableException">Every partition asked was unreachable.</exception>
    /// <remarks>When every partition asked failed, and not all for being unreachable, the first other error is rethrown.</remarks>
    public async Task<SweepResult> RunAsync(int maxCount, Func<int, int, Task<PartitionVisit>> visit)
    {
        var n = _nextDue.Length;
        var start = (int)((uint)Interlocked.Increment(ref _rotation) % (uint)n);
        var taken = 0;
        long storeNow = 0;
        var full = false;
        List<(int Partition, TimeSpan RetryIn, Exception Error)>? failed = null;
        var asked = 0;
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
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // This partition failed (its node is down, or it answered an error): the others keep working; this one
                // is skipped with its own backoff, and keeps nothing the others gave from being used.
                var failures = Interlocked.Increment(ref _failures[p]);
                var retryMs = Math.Min(RetryBaseMs << Math.Min(failures - 1, 16), Math.Max(_maxSkipMs, RetryBaseMs));
                Volatile.Write(ref _nextDue[p], sent + retryMs);
                Volatile.Write(ref _skipUntil[p], sent + retryMs);
                (failed ??= []).Add((p, TimeSpan.FromMilliseconds(retryMs), ex));
                continue;
            }

            Volatile.Write(ref _failures[p], 0);
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

        if (failed is not null)
        {
            if (failed.Count == asked)
            {
                // Nothing answered: the caller backs off as a whole (and logs once).
                if (failed.Find(f => f.Error is not SchedulerUnavailableException).Error is { } error)
                {
                    ExceptionDispatchInfo.Throw(error);
                }

                throw new SchedulerUnavailableException("No partition of the schedule is reachable: " + failed[0].Error.Message, failed[0].Error);
            }

            foreach (var (partition, retryIn, error) in failed)
            {
                Log.PartitionFailed(_logger, partition, _step, retryIn, error);
            }
        }

        return new SweepResult(taken, full ? TimeSpan.Zero : NextDueIn(), storeNow == 0 ? _time.GetUtcNow().ToUnixTimeMilliseconds() : storeNow);
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
