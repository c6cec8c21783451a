using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// Recurring schedules over partitions: a schedule lives in the partition of its id, and so do its occurrences
/// (<see cref="TaskPartitioner.RoutingKey"/> routes <c>id@time</c> by <c>id</c>), so each partition's claim adds the
/// next occurrences of its own schedules atomically. Listing due schedules visits the partitions in turn and skips
/// one whose next schedule is not due yet (until then, a wake-up or a write from this process, or at most
/// <c>maxSkip</c>), as claims do: an idle partition costs no command.
/// </summary>
/// <param name="partitions">The partitions' recurring stores, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
/// <param name="router">The router the partitioned schedule store of the same partitions uses.</param>
internal sealed class PartitionedRecurringStore(IReadOnlyList<IRecurringStore> partitions, PartitionRouter router) : IRecurringStore
{
    private readonly IRecurringStore[] _partitions = PartitionRouter.Checked(partitions, router);

    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        var p = router.IndexOf(scheduleId);
        var status = await _partitions[p].UpsertRecurringAsync(scheduleId, definition, traceContext, cancellationToken).ConfigureAwait(false);
        router.RecurringSweep.Touch(p);
        return status;
    }

    /// <inheritdoc />
    public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken) =>
        _partitions[router.IndexOf(scheduleId)].RemoveRecurringAsync(scheduleId, cancellationToken);

    /// <inheritdoc />
    public async Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var p = router.IndexOf(request.ScheduleId);
        var status = await _partitions[p].AddOccurrenceAsync(request, cancellationToken).ConfigureAwait(false);
        if (status == RecurringAddStatus.Added)
        {
            // The occurrence may be the partition's new head. (Its recurring listing needs no touch: the listing that
            // led here returned entries, so the next one visits this partition anyway.)
            router.Sweep.Touch(p);
        }

        return status;
    }

    /// <inheritdoc />
    public async Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        var entries = new List<RecurringDueEntry>();
        var result = await router.RecurringSweep.RunAsync(maxCount, async (p, count) =>
        {
            var batch = await _partitions[p].GetDueRecurringAsync(count, cancellationToken).ConfigureAwait(false);
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
}
