namespace Athomic.Scheduler.Extensibility;

/// <summary>What <see cref="IRecurringStore.AddOccurrenceAsync"/> adds.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Revision">The revision read with the definition.</param>
/// <param name="OccurrenceMilliseconds">The occurrence, or <see langword="null"/> when the schedule has no more (it leaves the index).</param>
/// <param name="TaskId">The occurrence's task id.</param>
/// <param name="Envelope">The occurrence's envelope.</param>
/// <param name="SuccessorMilliseconds">The occurrence after it, or <see langword="null"/> when there is none.</param>
/// <param name="SuccessorEnvelope">The successor's envelope (its task id is <see cref="Recurring.RecurringTaskIds.For"/> of its time).</param>
/// <param name="MisfireThreshold">
/// How late a successor may still be added by the dispatch; later, the workers' misfire policy decides. Also how long
/// after the occurrence the workers look at the schedule again.
/// </param>
/// <param name="SuccessorOnly">Only prepare the successor of the pending occurrence (the occurrence is not added).</param>
/// <param name="DeferFor">
/// Add and prepare nothing: only look at the still-due schedule again after this long (see <see cref="Defer"/>).
/// </param>
public sealed record RecurringAddRequest(
    string ScheduleId,
    long Revision,
    long? OccurrenceMilliseconds,
    string TaskId,
    ReadOnlyMemory<byte> Envelope,
    long? SuccessorMilliseconds,
    ReadOnlyMemory<byte> SuccessorEnvelope,
    TimeSpan MisfireThreshold,
    bool SuccessorOnly = false,
    TimeSpan? DeferFor = null)
{
    /// <summary>
    /// A request that adds nothing and re-indexes the schedule, while it is still due, at the store's now +
    /// <paramref name="delay"/>: for a worker that cannot read the definition (a newer version wrote it, or its time
    /// zone is missing on that host), so the schedule is neither finished for every host nor looked at in a loop.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="revision">The revision read with the definition.</param>
    /// <param name="delay">How long until the schedule is looked at again.</param>
    /// <returns>The request.</returns>
    public static RecurringAddRequest Defer(string scheduleId, long revision, TimeSpan delay) =>
        new(scheduleId, revision, null, string.Empty, default, null, default, TimeSpan.Zero, DeferFor: delay);
}
