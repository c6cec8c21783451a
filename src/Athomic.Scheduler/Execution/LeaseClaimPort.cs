using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Serialization;
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
    ILogger<LeaseClaimPort> logger,
    Flow.FlowGate? gate = null) : IDueTaskPort
{
    private bool _gateStarted;

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

        var unparked = 0;
        if (gate is not null)
        {
            if (!_gateStarted)
            {
                // Nothing is claimed before the paused handlers are known and the limits published.
                await gate.StartAsync(cancellationToken).ConfigureAwait(false);
                _gateStarted = true;
            }

            // Waiting tasks whose handler may run more now (a slot freed, resumed, the rate window opened) go first:
            // they were due before anything the claim below finds.
            foreach (var handler in gate.TakeReady())
            {
                if (unparked >= budget)
                {
                    break;
                }

                var entries = await gate.UnparkAsync(handler, budget - unparked, leases.Lease, cancellationToken).ConfigureAwait(false);
                unparked += entries.Count;
                var held = new HeldBatch();
                Hold(entries, held);
                await DispatchAsync(held, cancellationToken).ConfigureAwait(false);
            }

            if (unparked >= budget)
            {
                return new DuePoll(unparked, TimeSpan.Zero, 0, Full: true);
            }
        }

        var claims = new HeldBatch();
        ClaimBatch batch;
        if (store is Storage.PartitionedScheduleStore partitioned)
        {
            // The partitions answer one after another: hold each one's claims as soon as it answered, so a slow
            // partition later in the sweep cannot let them expire unrenewed.
            try
            {
                batch = await partitioned.ClaimAsync(budget - unparked, leases.Lease, entries => Hold(entries, claims), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (claims.Leases.Count > 0)
            {
                // Stopped mid-sweep: what earlier partitions gave goes back at once (the entries that cannot run are
                // not held; their leases expire, and a later claim dead-letters them).
                await leases.ReleaseAsync(claims.Leases, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        else
        {
            batch = await store.ClaimAsync(budget - unparked, leases.Lease, cancellationToken).ConfigureAwait(false);
            Hold(batch.Tasks, claims);
        }

        if (batch.Tasks.Count > 0)
        {
            SchedulerMetrics.ClaimedCounter.Add(batch.Tasks.Count, _schedule);
        }

        await DispatchAsync(claims, cancellationToken).ConfigureAwait(false);
        var nextDueIn = batch.NextDueIn;
        if (gate is not null)
        {
            gate.ArmSafetyNet(batch.Waiting);
            if (gate.NextReadyIn() is { } ready && (nextDueIn is null || ready < nextDueIn))
            {
                nextDueIn = ready;
            }
        }

        return new DuePoll(batch.Tasks.Count + unparked, nextDueIn, batch.RecurringDispatched, Full: batch.Tasks.Count >= budget - unparked);
    }

    /// <summary>
    /// Holds the claims that can run from this moment, before anything is awaited (their leases are renewed whether the
    /// task runs at once or waits in the broker's queue, and while the rest of the batch is claimed), and sets aside the
    /// ones that cannot run.
    /// </summary>
    private void Hold(IReadOnlyList<ClaimedEntry> entries, HeldBatch batch)
    {
        batch.Leases.EnsureCapacity(batch.Leases.Count + entries.Count); // no doubling copies per batch
        var gated = gate is { IsActive: true }; // once per batch: an empty ConcurrentDictionary's IsEmpty takes its locks
        foreach (var entry in entries)
        {
            if (entry.ExpiredLeases >= _maxDeliveries)
            {
                // Handed out 1 + ExpiredLeases times and never finished: its handler takes its process down.
                (batch.Unrunnable ??= []).Add((entry, LeaseOutcome.DeliveredTooOften(entry.ExpiredLeases + 1, _maxDeliveries)));
            }
            else if (LeaseOutcome.TryRead(entry.TaskId, entry.Envelope, UnixTime.TryFromMilliseconds(entry.DueMilliseconds), out var task, out var reason))
            {
                var lease = leases.Track(task, entry.Token);
                batch.Leases.Add(lease);
                if (gated)
                {
                    (batch.Gated ??= []).Add((lease, entry.DueMilliseconds));
                }
            }
            else
            {
                (batch.Unrunnable ??= []).Add((entry, reason));
            }
        }
    }

    /// <summary>Dead-letters the batch's claims that cannot run, then hands the held ones to flow control and the broker.</summary>
    private async Task DispatchAsync(HeldBatch batch, CancellationToken cancellationToken)
    {
        var claimed = batch.Leases;
        var gated = batch.Gated;
        foreach (var (entry, reason) in batch.Unrunnable ?? [])
        {
            await DeadLetterUnreadableAsync(entry, reason).ConfigureAwait(false);
        }

        if (gated is not null)
        {
            // Limited or paused handlers take their slots first; the tasks that get none wait in the schedule.
            List<TaskLease> parked;
            try
            {
                (_, parked) = await gate!.AdmitAsync(gated, leases.Lease, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The slots could not be taken: hand every claim back (due now) rather than run past a limit. Claims
                // already ended here (their parking failed) are dropped: their leases expire and they are claimed again.
                var ended = claimed.Where(l => l.IsEnded).ToList();
                await leases.ReleaseAsync(claimed, CancellationToken.None).ConfigureAwait(false);
                leases.Drop(ended);
                throw;
            }

            if (parked.Count > 0)
            {
                leases.Drop(parked);
                var waiting = parked.ToHashSet(); // a batch may hold thousands: no list scan per lease
                claimed.RemoveAll(waiting.Contains);
            }
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

    /// <summary>
    /// Dead-letters a claimed task that cannot run. A failure (a timeout, a READONLY reply) is logged, not thrown: the
    /// other claims of the batch are held already and must still be dispatched (or handed back), never stranded in the
    /// keeper; this claim is not held, so its lease expires and a later claim takes the task and dead-letters it then.
    /// </summary>
    private async Task DeadLetterUnreadableAsync(ClaimedEntry entry, string reason)
    {
        Log.TaskUnrunnable(logger, entry.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(entry.TaskId, entry.Envelope, reason, time);
        try
        {
            if (await store.DeadLetterAsync(entry.Claim, record, CancellationToken.None).ConfigureAwait(false))
            {
                SchedulerMetrics.DeadLetteredCounter.Add(1, _schedule);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.UnrunnableDeadLetterFailed(logger, entry.TaskId, ex);
        }
    }

    /// <summary>The claims of one batch, as <see cref="Hold"/> sorted them.</summary>
    private sealed class HeldBatch
    {
        /// <summary>The held claims (those flow control admits among them), in the order claimed.</summary>
        public List<TaskLease> Leases { get; } = [];

        /// <summary>The held claims whose handlers flow control admits first, with their due times.</summary>
        public List<(TaskLease Lease, long DueMilliseconds)>? Gated { get; set; }

        /// <summary>The claims that cannot run (not held), each with why.</summary>
        public List<(ClaimedEntry Entry, string Reason)>? Unrunnable { get; set; }
    }
}
