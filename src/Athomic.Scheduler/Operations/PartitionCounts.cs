namespace Athomic.Scheduler.Operations;

/// <summary>The counts of one partition, read in one step on the store's clock.</summary>
/// <param name="Partition">The partition index.</param>
/// <param name="Pending">Tasks waiting in the schedule, due or not.</param>
/// <param name="InFlight">Tasks claimed under a lease, or queued in the partition's stream.</param>
/// <param name="DeadLetters">Dead letters kept.</param>
/// <param name="Recurring">Recurring schedules.</param>
/// <param name="ReadAt">The store's time of the read.</param>
/// <param name="NextDueAt">
/// The due time of the first pending task, or <see langword="null"/> when none is pending; tasks that wait for flow
/// control (<see cref="TaskSummary.IsWaiting"/>) are not counted here, so a paused handler does not make the schedule late.
/// </param>
public sealed record PartitionCounts(int Partition, long Pending, long InFlight, long DeadLetters, long Recurring, DateTimeOffset ReadAt, DateTimeOffset? NextDueAt)
{
    /// <summary>How long the first pending task is overdue (zero when nothing is due).</summary>
    public TimeSpan Lateness => NextDueAt is { } due && due < ReadAt ? ReadAt - due : TimeSpan.Zero;
}
