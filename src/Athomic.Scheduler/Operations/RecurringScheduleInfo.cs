namespace Athomic.Scheduler.Operations;

/// <summary>A recurring schedule as an operator sees it.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Handler">The handler of its occurrences, or an empty string when the definition cannot be read.</param>
/// <param name="Schedule">When it runs (its <see cref="RecurringSchedule.ToString"/> describes it), or <see langword="null"/> when the definition cannot be read.</param>
/// <param name="NextOccurrence">Its next occurrence: the pending one, else the next after the latest added; <see langword="null"/> when there is none (or it cannot be read).</param>
/// <param name="Partition">The partition that holds it.</param>
public sealed record RecurringScheduleInfo(string ScheduleId, string Handler, RecurringSchedule? Schedule, DateTimeOffset? NextOccurrence, int Partition)
{
    /// <summary>The task id of its pending occurrence, or <see langword="null"/>.</summary>
    public string? PendingTaskId { get; init; }

    /// <summary>Why the definition cannot be read, or <see langword="null"/>.</summary>
    public string? Error { get; init; }
}
