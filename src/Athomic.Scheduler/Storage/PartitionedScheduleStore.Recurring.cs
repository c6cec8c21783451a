namespace Athomic.Scheduler.Storage;

/// <summary>
/// Recurring schedules over partitions: a schedule lives in the partition of its id, and so do its occurrences
/// (<see cref="TaskPartitioner.RoutingKey"/> routes <c>id@time</c> by <c>id</c>), so each partition's claim adds the
/// next occurrences of its own schedules atomically. Listing due schedules visits the partitions in turn and skips
/// one whose next schedule is not due yet (until then, a wake-up or a write from this process, or at most
/// <c>maxSkip</c>), as claims do: an idle partition costs no command.
/// </summary>
internal sealed partial class PartitionedScheduleStore
{
    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        var p = IndexOf(scheduleId);
        var status = await RecurringPartition(p).UpsertRecurringAsync(scheduleId, definition, traceContext, cancellationToken).ConfigureAwait(false);
        RecurringSweep.Touch(p);
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
        if (status == RecurringAddStatus.Added)
        {
            // The occurrence may be the partition's new head. (Its recurring listing needs no touch: the listing that
            // led here returned entries, so the next one visits this partition anyway.)
            Sweep.Touch(p);
        }

        return status;
    }

    /// <inheritdoc />
    public async Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        var entries = new List<RecurringDueEntry>();
        var result = await RecurringSweep.RunAsync(maxCount, async (p, count) =>
        {
            if (_partitions[p] is not IRecurringStore partition)
            {
                return new PartitionVisit(0, null, 0);
            }

            var batch = await partition.GetDueRecurringAsync(count, cancellationToken).ConfigureAwait(false);
            entries.AddRange(batch.Entries);
            TimeSpan? next = batch.Entries.Count > 0 ? TimeSpan.Zero
                : batch.NextDueMilliseconds is { } due ? TimeSpan.FromMilliseconds(Math.Max(0, due - batch.NowMilliseconds))
                : null;
            return new PartitionVisit(batch.Entries.Count, next, batch.NowMilliseconds);
        }).ConfigureAwait(false);

        // The pump times its next look as NextDueMilliseconds - NowMilliseconds.
        var nextDue = result.NextDueIn is { } wait ? result.NowMilliseconds + (long)wait.TotalMilliseconds : (long?)null;
        return new RecurringDueBatch(result.NowMilliseconds, entries, nextDue);
    }

    private IRecurringStore RecurringPartition(int p) =>
        _recurring?[p]
        ?? throw new NotSupportedException($"The schedule store {_partitions[p].GetType().Name} of partition {p} does not support recurring schedules.");
}
