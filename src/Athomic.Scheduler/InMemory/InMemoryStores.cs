using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>Creates the in-memory stores of one schedule, over one shared <see cref="InMemorySchedule"/>.</summary>
internal static class InMemoryStores
{
    /// <summary>Creates the task, recurring and dead-letter stores of a new, empty schedule.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="retention">How many dead letters are kept, and for how long; <see cref="DeadLetterRetention.Default"/> when <see langword="null"/>.</param>
    /// <returns>The three stores.</returns>
    public static ScheduleStores Create(TimeProvider? time = null, DeadLetterRetention? retention = null)
    {
        var schedule = new InMemorySchedule(time);
        return new(
            new InMemoryScheduleStore(schedule) { Retention = retention ?? DeadLetterRetention.Default },
            new InMemoryRecurringStore(schedule),
            new InMemoryDeadLetterStore(schedule))
        {
            Statistics = [new InMemoryStatistics(schedule)],
            Operations = [new InMemoryOperations(schedule)],
        };
    }
}
