using System.Diagnostics.Metrics;
using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Execution;

/// <summary>How the streams broker ends entries (the <see cref="ILeaseOwner"/> of its leases) and keeps live ones claimed.</summary>
internal sealed partial class RedisStreamsBroker
{
    Task ILeaseOwner.CompleteAsync(TaskLease lease, CancellationToken cancellationToken) =>
        EndAsync(lease, "complete", SchedulerMetrics.CompletedCounter, () => _queue.AckAsync(lease.Receipt!, lease.Task.TaskId));

    Task ILeaseOwner.RetryAsync(TaskLease lease, TimeSpan delay, CancellationToken cancellationToken)
    {
        var next = LeaseOutcome.NextAttempt(lease.Task);
        return EndAsync(lease, "retry", SchedulerMetrics.RetriedCounter, () => _queue.RetryAsync(lease.Receipt!, lease.Task.TaskId, next, delay));
    }

    Task ILeaseOwner.ReleaseAsync(TaskLease lease, CancellationToken cancellationToken)
    {
        var task = lease.Task;
        RedisValue[] fields = ["t", task.TaskId, "e", TaskEnvelope.Write(task), "d", task.DueAt?.ToUnixTimeMilliseconds() ?? 0];
        return EndAsync(lease, "release", SchedulerMetrics.ReleasedCounter, () => _queue.HandBackAsync(lease.Receipt!, task.TaskId, fields));
    }

    Task ILeaseOwner.DeadLetterAsync(TaskLease lease, string reason, CancellationToken cancellationToken)
    {
        var record = LeaseOutcome.DeadLetterRecord(lease.Task, reason, _time);
        return EndAsync(lease, "dead-letter", SchedulerMetrics.DeadLetteredCounter, () => _queue.DeadLetterAsync(lease.Receipt!, lease.Task.TaskId, record));
    }

    private async Task EndAsync(TaskLease lease, string action, Counter<long> counter, Func<Task<bool>> end)
    {
        try
        {
            await LeaseOutcome.EndAsync(_logger, _schedule, lease.Task, action, counter, end).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(lease.Receipt!, out _);
        }
    }

    private async Task DeadLetterUnreadableAsync(StreamDelivery delivery, string reason)
    {
        Log.EnvelopeUnreadable(_logger, delivery.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(delivery.TaskId, delivery.Envelope, reason, _time);
        try
        {
            if (await _queue.DeadLetterAsync(delivery.EntryId, delivery.TaskId, record).ConfigureAwait(false))
            {
                SchedulerMetrics.DeadLetteredCounter.Add(1, _schedule);
            }
            else
            {
                Log.LeaseLost(_logger, delivery.TaskId, "dead-letter");
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.LeaseEndFailed(_logger, delivery.TaskId, "dead-letter", ex);
        }
    }

    /// <summary>Entries read while stopping go back to the group at once, for other consumers.</summary>
    private async Task HandBackUnstartedAsync(IReadOnlyList<StreamDelivery> batch)
    {
        var handedBack = 0;
        foreach (var delivery in batch)
        {
            try
            {
                if (await _queue.HandBackAsync(delivery.EntryId, delivery.TaskId, delivery.Fields).ConfigureAwait(false))
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
                _slots.Release();
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

            var ids = _running.Keys.ToArray();
            if (ids.Length == 0)
            {
                continue;
            }

            try
            {
                var lost = (await _queue.KeepAliveAsync(ids).ConfigureAwait(false)).Count(_running.ContainsKey);
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
