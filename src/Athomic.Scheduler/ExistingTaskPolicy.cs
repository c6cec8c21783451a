namespace Athomic.Scheduler;

/// <summary>What to do when a task is scheduled under an id that is already stored.</summary>
public enum ExistingTaskPolicy
{
    /// <summary>Replace the stored task and its due time (the default).</summary>
    Reschedule = 0,

    /// <summary>Keep the stored task; the result says <see cref="ScheduleStatus.AlreadyExists"/>.</summary>
    Refuse = 1,
}
