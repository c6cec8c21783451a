using System.Diagnostics.Metrics;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>How the streams broker ends entries (the <see cref="ILeaseOwner"/> of its leases) and keeps live ones claimed.</summary>
internal sealed partial class RedisStreamsBroker
{
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
        var record = LeaseOutcome.DeadLetterRecord(lease.Task, reason, _time);
        return EndAsync(lease, "dead-letter", SchedulerMetrics.DeadLetteredCounter, (queue, entryId) => queue.DeadLetterAsync(entryId, lease.Task.TaskId, record));
    }

    private async Task EndAsync(TaskLease lease, string action, Counter<long> counter, Func<RedisStreamQueue, string, Task<bool>> end)
    {
        var (partition, entryId) = StreamDelivery.ParseReceipt(lease.Receipt!);
        try
        {
            await LeaseOutcome.EndAsync(_logger, _schedule, lease.Task, action, counter, () => end(_parts[partition].Queue, entryId)).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(lease.Receipt!, out _);
        }
    }

    /// <summary>
    /// Entries read while stopping go back to the group at once, for other consumers; with
    /// <paramref name="holdsSlots"/>, each held a handler slot, given back here.
    /// </summary>
    private async Task HandBackUnstartedAsync(IReadOnlyList<StreamDelivery> batch, bool holdsSlots = true)
    {
        var handedBack = 0;
        foreach (var delivery in batch)
        {
            try
            {
                if (await _parts[delivery.Partition].Queue.HandBackAsync(delivery.EntryId, delivery.TaskId, delivery.Fields).ConfigureAwait(false))
                {
                    handedBack++;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.LeaseEndFailed(_logger, delivery.TaskId, "release", ex);
            }
            finally
            {
                if (holdsSlots)
                {
                    _slots.Release();
                }
            }
        }

        if (handedBack > 0)
        {
            SchedulerMetrics.ReleasedCounter.Add(handedBack, _schedule);
            Log.StreamEntriesHandedBack(_logger, handedBack);
        }
    }

    /// <summary>Resets the idle time of running entries every third of the visibility timeout, until the broker stopped.</summary>
    private async Task KeepAliveLoopAsync()
    {
        var period = _visibility / 3;
        var token = _stopKeepAlive.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Running entries and entries waiting for a slot, per partition: one script on each partition's stream.
            foreach (var group in _running.Keys.Select(StreamDelivery.ParseReceipt).GroupBy(r => r.Partition))
            {
                var ids = group.Select(r => r.EntryId).ToArray();
                try
                {
                    var lost = (await _parts[group.Key].Queue.KeepAliveAsync(ids).ConfigureAwait(false))
                        .Count(id => _running.ContainsKey(StreamDelivery.ReceiptOf(group.Key, id)));
                    if (lost > 0)
                    {
                        Log.StreamClaimsLost(_logger, lost);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
                {
                    Log.LeaseRenewalFailed(_logger, ids.Length, ex);
                }
            }
        }
    }
}
