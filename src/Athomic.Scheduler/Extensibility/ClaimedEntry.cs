namespace Athomic.Scheduler.Extensibility;

/// <summary>A task claimed by <see cref="IScheduleStore.ClaimAsync"/>.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded envelope (empty when the details were missing).</param>
/// <param name="DueMilliseconds">The due time the task had, in Unix milliseconds.</param>
/// <param name="Reclaimed">Whether the task came from an expired lease rather than the schedule.</param>
/// <param name="ExpiredLeases">
/// How many of the task's leases have expired since a handler last finished it (acknowledged, retried or
/// dead-lettered): each one is a run whose process died or stalled. 0 for a task fresh from the schedule.
/// </param>
/// <param name="Token">The claim's fencing token: every call that ends or extends the claim presents it.</param>
public readonly record struct ClaimedEntry(string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, bool Reclaimed, int ExpiredLeases = 0, long Token = 0)
{
    /// <summary>The claim, to end or extend it.</summary>
    public TaskClaim Claim => new(TaskId, Token);
}
