namespace Athomic.Scheduler.Extensibility;

/// <summary>The result of a claim.</summary>
/// <param name="Tasks">The claimed tasks.</param>
/// <param name="NextDueIn">Time until the next pending task is due (zero when more are due now), or
/// <see langword="null"/> when nothing is pending.</param>
/// <param name="NowMilliseconds">The store's clock at the claim.</param>
/// <param name="RecurringDispatched">
/// How many claimed tasks were recurring occurrences with a prepared successor, which the claim added as their
/// schedule's next occurrence: the worker looks at those schedules at once, to prepare the successor after it
/// (see <see cref="IRecurringStore"/>).
/// </param>
public sealed record ClaimBatch(IReadOnlyList<ClaimedEntry> Tasks, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched = 0)
{
    /// <summary>
    /// How many tasks of the claimed store (or of the partitions this claim visited) wait for a flow-control slot; the
    /// worker keeps looking at them while any wait. 0 where the store has no flow control.
    /// </summary>
    public long Waiting { get; init; }
}
