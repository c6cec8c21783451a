namespace Athomic.Scheduler.Recurring;

/// <summary>The deterministic task ids of recurring occurrences.</summary>
public static class RecurringTaskIds
{
    /// <summary>
    /// The task id of the occurrence of <paramref name="scheduleId"/> at <paramref name="occurrence"/>:
    /// <c>{scheduleId}@{Unix milliseconds, UTC}</c>. The same occurrence always has the same id, on every worker.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="occurrence">The occurrence time.</param>
    /// <returns>The task id.</returns>
    public static string For(string scheduleId, DateTimeOffset occurrence) =>
        scheduleId + "@" + occurrence.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Validates a schedule id: a valid task id without <c>@</c>, short enough for its occurrence ids.</summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <exception cref="ArgumentException">It is not valid.</exception>
    internal static void Validate(string scheduleId)
    {
        if (!TaskIds.IsValid(scheduleId) || scheduleId.Contains('@', StringComparison.Ordinal) || scheduleId.Length > TaskIds.MaxLength - 20)
        {
            throw new ArgumentException(
                $"'{scheduleId}' is not a valid recurring schedule id: 1 to {TaskIds.MaxLength - 20} characters, no whitespace, control characters, '{{', '}}', '*' or '@'.",
                nameof(scheduleId));
        }
    }
}
