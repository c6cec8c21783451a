using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Hosting;

/// <summary>The worker's lease path: hand claimed tasks to the broker; dead-letter those that cannot run.</summary>
public sealed partial class SchedulerWorkerService
{
    private async Task DispatchAsync(ClaimBatch batch, CancellationToken stoppingToken)
    {
        for (var i = 0; i < batch.Tasks.Count; i++)
        {
            var entry = batch.Tasks[i];
            if (entry.ExpiredLeases >= _maxDeliveries)
            {
                // Handed out 1 + ExpiredLeases times and never finished: its handler takes its process down.
                await DeadLetterUnreadableAsync(entry, LeaseOutcome.DeliveredTooOften(entry.ExpiredLeases + 1, _maxDeliveries)).ConfigureAwait(false);
                continue;
            }

            if (!LeaseOutcome.TryRead(entry.TaskId, entry.Envelope, DateTimeOffset.FromUnixTimeMilliseconds(entry.DueMilliseconds), out var task, out var reason))
            {
                await DeadLetterUnreadableAsync(entry, reason).ConfigureAwait(false);
                continue;
            }

            var lease = _leases.Track(task);
            try
            {
                await _broker.DispatchAsync(lease, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopping (or the broker refused it): hand this and every later claimed task back at once.
                await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                var rest = batch.Tasks.Skip(i + 1).Select(t => t.TaskId).ToArray();
                var released = await _store.ReleaseAsync(rest, CancellationToken.None).ConfigureAwait(false);
                if (released > 0)
                {
                    SchedulerMetrics.ReleasedCounter.Add(released, _schedule);
                }
                throw;
            }
        }
    }

    private async Task DeadLetterUnreadableAsync(ClaimedEntry entry, string reason)
    {
        Log.TaskUnrunnable(_logger, entry.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(entry.TaskId, entry.Envelope, reason, _time);
        if (await _store.DeadLetterAsync(entry.TaskId, record, CancellationToken.None).ConfigureAwait(false))
        {
            SchedulerMetrics.DeadLetteredCounter.Add(1, _schedule);
        }
    }
}
