namespace Athomic.Scheduler.Storage;

/// <summary>
/// Recurring schedules over partitions: a schedule lives in the partition of its id, and so do its occurrences
/// (<see cref="TaskPartitioner.RoutingKey"/> routes <c>id@time</c> by <c>id</c>), so each partition's claim adds the
/// next occurrences of its own schedules atomically. Listing due schedules visits the partitions in turn and skips
/// one whose next schedule is not due yet (until then, a wake-up or a write from this process, or at most
/// <c>maxSkip</c>), as claims do: an idle partition costs no command.
/// </summary>
public sealed partial class PartitionedScheduleStore
{
    private readonly long[] _recurringSkipUntil;
    private readonly long[] _recurringNextDue;
    private int _recurringRotation = -1;

    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, CancellationToken cancellationToken)
    {
        var p = IndexOf(scheduleId);
        var status = await RecurringPartition(p).UpsertRecurringAsync(scheduleId, definition, cancellationToken).ConfigureAwait(false);
        TouchRecurring(p);
        return status;
    }

    /// <inheritdoc />
    public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken) =>
        RecurringPartition(IndexOf(scheduleId)).RemoveRecurringAsync(scheduleId, cancellationToken);

    /// <inheritdoc />
    public async Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var p = IndexOf(request.ScheduleId);
        var status = await RecurringPartition(p).AddOccurrenceAsync(request, cancellationToken).ConfigureAwait(false);
        Touch(p); // an added occurrence may be the partition's new head
        return status;
    }

    /// <inheritdoc />
    public async Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        var n = _partitions.Length;
        var start = (int)((uint)Interlocked.Increment(ref _recurringRotation) % (uint)n);
        var entries = new List<RecurringDueEntry>();
        long storeNow = 0;
        var localNow = Now;
        SchedulerUnavailableException? unavailable = null;
        int asked = 0, failures = 0;
        for (var k = 0; k < n && entries.Count < maxCount; k++)
        {
            var p = (start + k) % n;
            var sent = Now;
            if (_partitions[p] is not IRecurringStore partition)
            {
                Volatile.Write(ref _recurringNextDue[p], long.MaxValue);
                continue;
            }

            if (sent < Volatile.Read(ref _recurringSkipUntil[p]))
            {
                continue;
            }

            RecurringDueBatch batch;
            asked++;
            try
            {
                batch = await partition.GetDueRecurringAsync(maxCount - entries.Count, cancellationToken).ConfigureAwait(false);
            }
            catch (SchedulerUnavailableException ex)
            {
                unavailable = ex;
                failures++;
                Volatile.Write(ref _recurringNextDue[p], sent + UnavailableRetryMs);
                Volatile.Write(ref _recurringSkipUntil[p], sent + UnavailableRetryMs);
                continue;
            }

            entries.AddRange(batch.Entries);
            storeNow = Math.Max(storeNow, batch.NowMilliseconds);

            // On the local clock, timed from when the call was sent: never later than the partition's own next time.
            var next = batch.Entries.Count > 0 ? 0
                : batch.NextDueMilliseconds is { } due ? sent + Math.Max(0, due - batch.NowMilliseconds)
                : long.MaxValue;
            Volatile.Write(ref _recurringNextDue[p], next);
            Volatile.Write(ref _recurringSkipUntil[p], next == 0 ? 0 : Math.Min(next, sent + _maxSkipMs));
        }

        if (unavailable is not null && failures == asked)
        {
            throw new SchedulerUnavailableException("No partition of the schedule is reachable: " + unavailable.Message, unavailable);
        }

        // The soonest partition's next time, from the store's clock (the pump subtracts NowMilliseconds).
        var soonest = long.MaxValue;
        for (var p = 0; p < n; p++)
        {
            soonest = Math.Min(soonest, Volatile.Read(ref _recurringNextDue[p]));
        }

        var now = storeNow == 0 ? localNow : storeNow;
        long? nextDue = soonest == long.MaxValue ? null : now + Math.Max(0, soonest - Now);
        return new RecurringDueBatch(now, entries, nextDue);
    }

    private void TouchRecurring(int p)
    {
        Volatile.Write(ref _recurringNextDue[p], 0);
        Volatile.Write(ref _recurringSkipUntil[p], 0);
    }

    private IRecurringStore RecurringPartition(int p) =>
        _partitions[p] as IRecurringStore
        ?? throw new NotSupportedException($"The schedule store {_partitions[p].GetType().Name} of partition {p} does not support recurring schedules.");
}
