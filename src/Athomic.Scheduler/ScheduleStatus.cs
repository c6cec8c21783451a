namespace Athomic.Scheduler;

/// <summary>The outcome of scheduling one task.</summary>
public enum ScheduleStatus
{
    /// <summary>A new task was stored.</summary>
    Scheduled = 1,

    /// <summary>A pending task with the same id existed and was replaced: that version will not run.</summary>
    Rescheduled = 2,

    /// <summary>
    /// A task with the same id existed (pending, held back, queued or running) and was kept
    /// (<see cref="ExistingTaskPolicy.Refuse"/>).
    /// </summary>
    AlreadyExists = 3,

    /// <summary>
    /// A task with the same id is running (claimed by a worker, or queued in the broker): this version is stored and
    /// held back, and becomes pending, due at its own time, when that run ends. It never runs at the same time as
    /// that run; it replaces that run's retry if the run fails; the run's completion never removes it. Scheduling the
    /// id again before then replaces the held-back version.
    /// </summary>
    RescheduledAfterRun = 4,
}
