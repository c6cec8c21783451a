using Athomic.Scheduler.Extensibility;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// The lease path of <see cref="IDueTaskPort"/>: claim at most as many due tasks as this process can start soon (free
/// handler slots plus the prefetch, <see cref="LeaseKeeper.Available"/>), hold every claim from the moment of the
/// claim, and hand the leases to the <see cref="ITaskBroker"/>; tasks that cannot run are dead-lettered with a reason.
/// </summary>
internal sealed class LeaseClaimPort(
    IScheduleStore store,
    ITaskBroker broker,
    LeaseKeeper leases,
    IOptions<SchedulerOptions> options,
    TimeProvider time,
    ILogger<LeaseClaimPort> logger) : IDueTaskPort
{
    private readonly SchedulerWorkerOptions _options = options.Value.Worker;
    private readonly int _maxDeliveries = options.Value.Execution.MaxDeliveries;
    private readonly KeyValuePair<string, object?> _schedule = new("schedule", options.Value.KeyPrefix);

    /// <inheritdoc />
    /// <remarks>When nothing can be claimed (every slot and the prefetch are held), waits until a claim ends.</remarks>
    public async Task<DuePoll> TakeDueAsync(CancellationToken cancellationToken)
    {
        var budget = Math.Min(_options.BatchSize, leases.Available);
        if (budget == 0)
        {
            // Every slot and the prefetch are held: claiming more would only let leases run out in memory.
            var ended = await leases.WaitForEndAsync(_options.MaxPollDelay, cancellationToken).ConfigureAwait(false);
            return new DuePoll(0, ended ? TimeSpan.Zero : null, 0, Full: ended);
        }

        var batch = await store.ClaimAsync(budget, leases.Lease, cancellationToken).ConfigureAwait(false);
        if (batch.Tasks.Count > 0)
        {
            SchedulerMetrics.ClaimedCounter.Add(batch.Tasks.Count, _schedule);
        }

        await DispatchAsync(batch, cancellationToken).ConfigureAwait(false);
        return new DuePoll(batch.Tasks.Count, batch.NextDueIn, batch.RecurringDispatched, Full: batch.Tasks.Count >= budget);
    }

    private async Task DispatchAsync(ClaimBatch batch, CancellationToken cancellationToken)
    {
        // Hold every claim from the moment of the claim, before anything is awaited: its lease is renewed whether
        // the task runs at once or waits in the broker's queue.
        var claimed = new List<TaskLease>(batch.Tasks.Count);
        List<(ClaimedEntry Entry, string Reason)>? unrunnable = null;
        foreach (var entry in batch.Tasks)
        {
            if (entry.ExpiredLeases >= _maxDeliveries)
            {
                // Handed out 1 + ExpiredLeases times and never finished: its handler takes its process down.
                (unrunnable ??= []).Add((entry, LeaseOutcome.DeliveredTooOften(entry.ExpiredLeases + 1, _maxDeliveries)));
            }
            else if (LeaseOutcome.TryRead(entry.TaskId, entry.Envelope, UnixTime.TryFromMilliseconds(entry.DueMilliseconds), out var task, out var reason))
            {
                claimed.Add(leases.Track(task, entry.Token));
            }
            else
            {
                (unrunnable ??= []).Add((entry, reason));
            }
        }

        foreach (var (entry, reason) in unrunnable ?? [])
        {
            await DeadLetterUnreadableAsync(entry, reason).ConfigureAwait(false);
        }

        for (var i = 0; i < claimed.Count; i++)
        {
            try
            {
                await broker.DispatchAsync(claimed[i], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopping (or the broker refused it): hand this and every later claimed task back at once.
                await leases.ReleaseAsync(claimed.GetRange(i, claimed.Count - i), CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task DeadLetterUnreadableAsync(ClaimedEntry entry, string reason)
    {
        Log.TaskUnrunnable(logger, entry.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(entry.TaskId, entry.Envelope, reason, time);
        if (await store.DeadLetterAsync(entry.Claim, record, CancellationToken.None).ConfigureAwait(false))
        {
            SchedulerMetrics.DeadLetteredCounter.Add(1, _schedule);
        }
    }
}
