using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// Runs delivered entries in the handler slots (<c>Execution:MaxConcurrency</c>) shared by every partition's read loop:
/// hands out free slots, reads each entry's envelope, runs its handler under a lease of the
/// <see cref="StreamLeaseKeeper"/>, dead-letters what cannot run, hands back what was read but not started, and on
/// stopping waits for the running handlers (cancelling them past the host's shutdown timeout).
/// </summary>
/// <param name="queues">One queue per partition, in partition order.</param>
/// <param name="keeper">Holds the entries, keeps them alive and ends their leases.</param>
/// <param name="executor">Runs handlers.</param>
/// <param name="concurrency">How many handlers run at once.</param>
/// <param name="time">The clock for dead-letter records.</param>
/// <param name="logger">The logger.</param>
/// <param name="schedule">The metrics tag of the schedule.</param>
/// <param name="visibility">How long a delivery is held before another consumer may take it: the lease of its flow-control slot.</param>
/// <param name="gate">Flow control (limits, pauses), or <see langword="null"/>.</param>
internal sealed class StreamEntryRunner(
    IReadOnlyList<RedisStreamQueue> queues,
    StreamLeaseKeeper keeper,
    TaskExecutor executor,
    int concurrency,
    TimeProvider time,
    ILogger logger,
    KeyValuePair<string, object?> schedule,
    TimeSpan visibility = default,
    Flow.FlowGate? gate = null)
{
    private readonly int _concurrency = concurrency;
    private readonly SemaphoreSlim _slots = new(concurrency, concurrency);
    private readonly CancellationTokenSource _cancelHandlers = new();

    /// <summary>Waits for a free slot.</summary>
    public Task WaitForSlotAsync(CancellationToken token) => _slots.WaitAsync(token);

    /// <summary>With one slot held, takes every other free slot at once; returns how many are held now.</summary>
    public int TakeFreeSlots()
    {
        var free = 1;
        while (free < _concurrency && _slots.Wait(0))
        {
            free++;
        }

        return free;
    }

    /// <summary>Gives back <paramref name="count"/> slots that no entry took.</summary>
    public void ReleaseSlots(int count) => _slots.Release(count);

    /// <summary>
    /// An entry read without a slot waits for one, kept alive meanwhile; when the broker stops first, it is handed
    /// back at once. Returns <see langword="false"/> when stopping.
    /// </summary>
    public async Task<bool> AwaitSlotAsync(StreamDelivery delivery, CancellationToken token)
    {
        keeper.Hold(delivery.Receipt);
        try
        {
            await _slots.WaitAsync(token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            keeper.Forget(delivery.Receipt);
            await HandBackUnstartedAsync([delivery], holdsSlots: false).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Starts the entry's handler in the slot it holds; the slot is given back when the handler ends.</summary>
    public void Start(StreamDelivery delivery)
    {
        keeper.Hold(delivery.Receipt);
        _ = Task.Run(() => RunAsync(delivery), CancellationToken.None);
    }

    /// <summary>
    /// Entries read while stopping go back to the group at once, for other consumers; with
    /// <paramref name="holdsSlots"/>, each held a handler slot, given back here.
    /// </summary>
    public async Task HandBackUnstartedAsync(IReadOnlyList<StreamDelivery> batch, bool holdsSlots = true)
    {
        var handedBack = 0;
        foreach (var delivery in batch)
        {
            try
            {
                if (await queues[delivery.Partition].HandBackAsync(delivery.EntryId, delivery.TaskId, delivery.Fields).ConfigureAwait(false))
                {
                    handedBack++;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
            {
                keeper.LostTrack();
                Log.LeaseEndFailed(logger, delivery.TaskId, "release", ex);
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
            SchedulerMetrics.ReleasedCounter.Add(handedBack, schedule);
            Log.StreamEntriesHandedBack(logger, handedBack);
        }
    }

    /// <summary>
    /// Waits until every handler ended (every slot is back); once <paramref name="cancellationToken"/> fires (the host's
    /// shutdown timeout), the handlers are cancelled and hand their entries back.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var drained = 0;
        try
        {
            for (; drained < _concurrency; drained++)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await _cancelHandlers.CancelAsync().ConfigureAwait(false);
        }

        for (; drained < _concurrency; drained++)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
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

            Flow.FlowRequest? slot = null;
            if (gate is { IsActive: true })
            {
                // Limited or paused handlers take their slots first; an entry that gets none leaves the stream and
                // its task waits in the schedule, without using an attempt. The slot's member names this consumer: an
                // entry another consumer took over (this one stalled past the visibility timeout) takes a slot of its
                // own there, never this one's (a shared member would let it in over the limit, and the first of the two
                // runs to end would free the room the other still uses).
                var member = "s" + delivery.Receipt + "|" + queues[delivery.Partition].Consumer;
                var (run, held, waitKey) = await gate.AdmitOneAsync(task, member, visibility, CancellationToken.None).ConfigureAwait(false);
                if (!run)
                {
                    await queues[delivery.Partition].ParkAsync(delivery.EntryId, delivery.TaskId, delivery.Envelope, delivery.DueMilliseconds, task.Handler, waitKey!).ConfigureAwait(false);
                    return;
                }

                slot = held;
            }

            var lease = new TaskLease(task, keeper, delivery.Receipt) { Slot = slot };
            keeper.Running(delivery.Receipt, lease);
            if (slot is null)
            {
                await executor.ExecuteAsync(lease, _cancelHandlers.Token).ConfigureAwait(false);
                return;
            }

            var renewal = gate!.KeepAlive(slot, visibility, () => lease.MarkLost());
            try
            {
                await executor.ExecuteAsync(lease, _cancelHandlers.Token).ConfigureAwait(false);
            }
            finally
            {
                await renewal.DisposeAsync().ConfigureAwait(false);
                await gate.ReleaseAsync([slot]).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            keeper.LostTrack(); // the entry may stay pending, held by nobody once forgotten below
            Log.StreamEntryFailed(logger, delivery.EntryId, ex);
        }
        finally
        {
            keeper.Forget(delivery.Receipt);
            _slots.Release();
        }
    }

    private async Task DeadLetterUnreadableAsync(StreamDelivery delivery, string reason)
    {
        Log.TaskUnrunnable(logger, delivery.TaskId, reason);
        var record = LeaseOutcome.UnreadableRecord(delivery.TaskId, delivery.Envelope, reason, time);
        try
        {
            if (await queues[delivery.Partition].DeadLetterAsync(delivery.EntryId, delivery.TaskId, record).ConfigureAwait(false))
            {
                SchedulerMetrics.DeadLetteredCounter.Add(1, schedule);
            }
            else
            {
                Log.LeaseLost(logger, delivery.TaskId, "dead-letter");
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
        {
            keeper.LostTrack();
            Log.LeaseEndFailed(logger, delivery.TaskId, "dead-letter", ex);
        }
    }
}
