using Athomic.Scheduler.Extensibility;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Serialization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// The entries this consumer holds, from the read until each one ends: keeps them claimed (their idle time is reset
/// every third of the visibility timeout, so a live handler is never reclaimed) and ends them as the
/// <see cref="ILeaseOwner"/> of their leases, each end one script on the entry's partition that acts only while this
/// consumer owns the entry. Also knows when this consumer may last have lost track of an entry (<see cref="LostTrack"/>).
/// </summary>
/// <param name="queues">One queue per partition, in partition order.</param>
/// <param name="visibility">The visibility timeout: the keep-alive runs every third of it.</param>
/// <param name="time">The clock for timers and dead-letter records.</param>
/// <param name="logger">The logger.</param>
/// <param name="schedule">The metrics tag of the schedule.</param>
internal sealed class StreamLeaseKeeper(
    IReadOnlyList<RedisStreamQueue> queues,
    TimeSpan visibility,
    TimeProvider time,
    ILogger logger,
    KeyValuePair<string, object?> schedule) : ILeaseOwner
{
    // Receipt -> the lease of the running entry, or null while the entry waits for a slot or its handler to start.
    private readonly ConcurrentDictionary<string, TaskLease?> _held = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopKeepAlive = new();
    private Task _keepAliveLoop = Task.CompletedTask;
    private long _lostTrackAt; // when (TimeProvider.GetTimestamp) a command on the streams last failed; 0: never
    private TaskCompletionSource _nextLostTrack = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many held entries are running a handler now.</summary>
    public int RunningCount => _held.Count(r => r.Value is not null);

    /// <summary>Whether this consumer holds the entry named by <paramref name="receipt"/>.</summary>
    public bool Holds(string receipt) => _held.ContainsKey(receipt);

    /// <summary>Holds an entry that waits for a slot or for its handler to start: it is kept alive from now on.</summary>
    public void Hold(string receipt) => _held.TryAdd(receipt, null);

    /// <summary>
    /// When (<see cref="TimeProvider.GetTimestamp"/>) this consumer last may have lost track of an entry, or 0: never.
    /// </summary>
    public long LostTrackAt => Interlocked.Read(ref _lostTrackAt);

    /// <summary>Completes at the next <see cref="LostTrack"/>.</summary>
    public Task NextLostTrack => Volatile.Read(ref _nextLostTrack).Task;

    /// <summary>
    /// A command on the streams failed (a read, a reclaim sweep, an end, a hand-back, a keep-alive): it may have taken
    /// effect without its reply reaching this process, or not at all, so an entry may be left pending in this consumer's
    /// name that nobody holds (its read's reply was lost, its end failed), which only a reclaim sweep takes over once it
    /// has been idle for the visibility timeout. The read loops sweep at their unpaced rate for a while
    /// (<see cref="StreamReadLoop"/>).
    /// </summary>
    public void LostTrack()
    {
        Interlocked.Exchange(ref _lostTrackAt, time.GetTimestamp());
        Interlocked.Exchange(ref _nextLostTrack, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The entry's handler starts under <paramref name="lease"/>.</summary>
    public void Running(string receipt, TaskLease lease) => _held[receipt] = lease;

    /// <summary>The entry is no longer this consumer's to keep alive.</summary>
    public void Forget(string receipt) => _held.TryRemove(receipt, out _);

    /// <summary>Starts the keep-alive loops, one per partition.</summary>
    public void StartKeepAlive() =>
        _keepAliveLoop = Task.WhenAll(Enumerable.Range(0, queues.Count).Select(p => Task.Run(() => KeepAliveLoopAsync(p), CancellationToken.None)));

    /// <summary>Stops the keep-alive loops and waits for them.</summary>
    public async Task StopKeepAliveAsync()
    {
        await _stopKeepAlive.CancelAsync().ConfigureAwait(false);
        await _keepAliveLoop.ConfigureAwait(false);
    }

    // Every end acts on the stream of the entry's partition (named by the lease's receipt), in one script there.
    Task ILeaseOwner.CompleteAsync(TaskLease lease, CancellationToken cancellationToken) =>
        EndAsync(lease, "complete", SchedulerMetrics.CompletedCounter, (queue, entryId) => queue.AckAsync(entryId, lease.Task.TaskId));

    Task ILeaseOwner.RetryAsync(TaskLease lease, TimeSpan delay, CancellationToken cancellationToken)
    {
        var next = LeaseOutcome.NextAttempt(lease.Task);
        return EndAsync(lease, "retry", SchedulerMetrics.RetriedCounter, (queue, entryId) => queue.RetryAsync(entryId, lease.Task.TaskId, next, delay));
    }

    Task ILeaseOwner.ReleaseAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        var task = lease.Task;
        RedisValue[] fields = ["t", task.TaskId, "e", TaskEnvelope.Write(task), "d", task.DueAt?.ToUnixTimeMilliseconds() ?? 0];
        return EndAsync(lease, "release", SchedulerMetrics.ReleasedCounter, (queue, entryId) => queue.HandBackAsync(entryId, task.TaskId, fields));
    }

    Task ILeaseOwner.DeadLetterAsync(TaskLease lease, string reason, CancellationToken cancellationToken)
    {
        var record = LeaseOutcome.DeadLetterRecord(lease.Task, reason, time);
        return EndAsync(lease, "dead-letter", SchedulerMetrics.DeadLetteredCounter, (queue, entryId) => queue.DeadLetterAsync(entryId, lease.Task.TaskId, record));
    }

    void ILeaseOwner.Abandon(TaskLease lease) => Forget(lease.Receipt!);

    private async Task EndAsync(TaskLease lease, string action, Counter<long> counter, Func<RedisStreamQueue, string, Task<bool>> end)
    {
        var (partition, entryId) = StreamDelivery.ParseReceipt(lease.Receipt!);
        try
        {
            await LeaseOutcome.EndAsync(logger, schedule, lease.Task, action, counter, async () =>
            {
                try
                {
                    return await end(queues[partition], entryId).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LostTrack(); // the entry may stay pending in this consumer's name, held by nobody
                    throw;
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            Forget(lease.Receipt!);
        }
    }

    /// <summary>
    /// Resets the idle time of the held entries of one partition every third of the visibility timeout, until stopped,
    /// on <see cref="RenewalCadence"/> (on time even while the last reply is awaited). Each partition has a loop of its
    /// own, so a partition whose node is slow or down delays no other; a keep-alive that failed is retried after
    /// 100 ms, doubling per failure in a row, never later than the next regular one.
    /// </summary>
    private Task KeepAliveLoopAsync(int partition)
    {
        var period = visibility / 3;
        var prefix = StreamDelivery.ReceiptOf(partition, string.Empty);
        var held = 0;
        return RenewalCadence.RunAsync(
            period,
            period,
            time,
            () =>
            {
                // Running entries and entries waiting for a slot: one script on the partition's stream.
                var ids = _held.Keys.Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r[prefix.Length..]).ToArray();
                held = ids.Length;
                return ids.Length == 0 ? null : KeepAliveAsync(partition, ids);
            },
            (failures, retry, error) => Log.StreamKeepAliveRetrying(logger, held, partition, failures, retry, error),
            _stopKeepAlive.Token);
    }

    private async Task<Exception?> KeepAliveAsync(int partition, string[] ids)
    {
        try
        {
            var (lost, gone) = await queues[partition].KeepAliveAsync(ids).ConfigureAwait(false);

            // Another consumer owns the entry now: a running handler's token is cancelled, so a stalled process stops
            // working on an entry that another consumer runs. An entry deleted from the stream is not kept alive: its run
            // is cancelled too, before the version held back behind it may run.
            var lostCount = MarkLost(partition, lost);
            if (lostCount > 0)
            {
                Log.StreamClaimsLost(logger, lostCount);
            }

            var goneCount = MarkLost(partition, gone);
            if (goneCount > 0)
            {
                Log.StreamEntriesDeletedWhileRunning(logger, goneCount, partition);
            }

            return null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
        {
            LostTrack();
            return ex;
        }
    }

    private int MarkLost(int partition, string[] entryIds)
    {
        var count = 0;
        foreach (var id in entryIds)
        {
            if (_held.TryGetValue(StreamDelivery.ReceiptOf(partition, id), out var lease) && (lease is null || lease.MarkLost()))
            {
                count++;
            }
        }

        return count;
    }
}
