using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>Running one delivered entry: waiting for its slot, reading its envelope, dead-lettering what cannot run.</summary>
internal sealed partial class RedisStreamsBroker
{
    /// <summary>
    /// An entry read without a slot waits for one, kept alive meanwhile; when the broker stops first, it is handed
    /// back at once. Returns <see langword="false"/> when stopping.
    /// </summary>
    private async Task<bool> AwaitSlotAsync(StreamDelivery delivery, CancellationToken token)
    {
        _running[delivery.Receipt] = null;
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            _running.TryRemove(delivery.Receipt, out _);
            await HandBackUnstartedAsync([delivery], holdsSlots: false).ConfigureAwait(false);
            return false;
        }
    }

    private async Task RunAsync(StreamDelivery delivery)
    {
        try
        {
            var due = delivery.DueMilliseconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(delivery.DueMilliseconds) : (DateTimeOffset?)null;
            if (delivery.Problem is { } problem)
            {
                await DeadLetterUnreadableAsync(delivery, problem).ConfigureAwait(false);
                return;
            }

            if (!LeaseOutcome.TryRead(delivery.TaskId, delivery.Envelope, due, out var task, out var reason))
            {
                await DeadLetterUnreadableAsync(delivery, reason).ConfigureAwait(false);
                return;
            }

            var lease = new TaskLease(task, this, delivery.Receipt);
            _running[delivery.Receipt] = lease;
            await _executor.ExecuteAsync(lease, _cancelHandlers.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StreamEntryFailed(_logger, delivery.EntryId, ex);
        }
        finally
        {
            _running.TryRemove(delivery.Receipt, out _);
            _slots.Release();
        }
    }

    private async Task DeadLetterUnreadableAsync(StreamDelivery delivery, string reason)
    {
        Log.TaskUnrunnable(_logger, delivery.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(delivery.TaskId, delivery.Envelope, reason, _time);
        try
        {
            if (await _parts[delivery.Partition].Queue.DeadLetterAsync(delivery.EntryId, delivery.TaskId, record).ConfigureAwait(false))
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
}
