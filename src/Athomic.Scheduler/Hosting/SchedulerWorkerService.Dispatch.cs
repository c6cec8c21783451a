using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Hosting;

/// <summary>The worker's lease path: claim what can start soon, hold every claim at once, hand them to the broker.</summary>
public sealed partial class SchedulerWorkerService
{
    /// <summary>
    /// The lease path: claim at most as many due tasks as this process can start soon (free handler slots plus the
    /// prefetch, <see cref="LeaseKeeper.Available"/>), so no claimed task waits in memory while its lease runs out
    /// and other workers stay free to take the rest. When nothing can be claimed, waits until a claim ends.
    /// </summary>
    private async Task<PollResult> ClaimAndDispatchAsync(CancellationToken stoppingToken)
    {
        var budget = Math.Min(_options.BatchSize, _leases.Available);
        if (budget == 0)
        {
            // Every slot and the prefetch are held: claiming more would only let leases run out in memory.
            var ended = await _leases.WaitForEndAsync(_options.MaxPollDelay, stoppingToken).ConfigureAwait(false);
            return new PollResult(0, ended ? TimeSpan.Zero : null, 0, Full: ended);
        }

        var batch = await _store.ClaimAsync(budget, _leases.Lease, stoppingToken).ConfigureAwait(false);
        if (batch.Tasks.Count > 0)
        {
            SchedulerMetrics.ClaimedCounter.Add(batch.Tasks.Count, _schedule);
        }

        await DispatchAsync(batch, stoppingToken).ConfigureAwait(false);
        return new PollResult(batch.Tasks.Count, batch.NextDueIn, batch.RecurringDispatched, Full: batch.Tasks.Count >= budget);
    }

    private async Task DispatchAsync(ClaimBatch batch, CancellationToken stoppingToken)
    {
        // Hold every claim from the moment of the claim, before anything is awaited: its lease is renewed whether
        // the task runs at once or waits in the broker's queue.
        var leases = new List<TaskLease>(batch.Tasks.Count);
        List<(ClaimedEntry Entry, string Reason)>? unrunnable = null;
        foreach (var entry in batch.Tasks)
        {
            if (entry.ExpiredLeases >= _maxDeliveries)
            {
                // Handed out 1 + ExpiredLeases times and never finished: its handler takes its process down.
                (unrunnable ??= []).Add((entry, LeaseOutcome.DeliveredTooOften(entry.ExpiredLeases + 1, _maxDeliveries)));
            }
            else if (LeaseOutcome.TryRead(entry.TaskId, entry.Envelope, DueAt(entry.DueMilliseconds), out var task, out var reason))
            {
                leases.Add(_leases.Track(task, entry.Token));
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

        for (var i = 0; i < leases.Count; i++)
        {
            try
            {
                await _broker.DispatchAsync(leases[i], stoppingToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Stopping (or the broker refused it): hand this and every later claimed task back at once.
                await _leases.ReleaseAsync(leases.GetRange(i, leases.Count - i), CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>The due time of a claimed score; <see langword="null"/> for a score no date can hold (written into Redis by hand).</summary>
    private static DateTimeOffset? DueAt(long milliseconds) =>
        milliseconds is >= -62_135_596_800_000 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;

    private async Task DeadLetterUnreadableAsync(ClaimedEntry entry, string reason)
    {
        Log.TaskUnrunnable(_logger, entry.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(entry.TaskId, entry.Envelope, reason, _time);
        if (await _store.DeadLetterAsync(entry.Claim, record, CancellationToken.None).ConfigureAwait(false))
        {
            SchedulerMetrics.DeadLetteredCounter.Add(1, _schedule);
        }
    }

    /// <summary>What one poll did.</summary>
    /// <param name="Count">Tasks claimed or promoted.</param>
    /// <param name="NextDueIn">Time until the next due task, if the store said.</param>
    /// <param name="RecurringDispatched">Recurring occurrences dispatched (their successors were added).</param>
    /// <param name="Full">Whether the poll took all it asked for (poll again at once).</param>
    private readonly record struct PollResult(int Count, TimeSpan? NextDueIn, int RecurringDispatched, bool Full);
}
