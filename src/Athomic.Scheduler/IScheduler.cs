namespace Athomic.Scheduler;

/// <summary>
/// Schedules tasks for later execution and cancels them. Prefer the generated, typed
/// <c>Schedule{Handler}Async</c> extension methods, which build the <see cref="GenericTask"/> for you.
/// </summary>
public interface IScheduler
{
    /// <summary>Schedules <paramref name="task"/> to run after <paramref name="delay"/>, measured on the store's clock.</summary>
    /// <param name="task">The task.</param>
    /// <param name="delay">The delay from now; zero runs the task as soon as possible.</param>
    /// <param name="taskId">The id to store the task under; <see langword="null"/> keeps <see cref="GenericTask.TaskId"/>.
    /// Scheduling an id that is already pending reschedules it (or, with <see cref="ExistingTaskPolicy.Refuse"/>, leaves it).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ArgumentException">The delay is negative or too large, the id is invalid, or the payload is too large.</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<string> ScheduleAsync(GenericTask task, TimeSpan delay, string? taskId = null, CancellationToken cancellationToken = default);

    /// <summary>Schedules <paramref name="task"/> to run at <paramref name="executionTime"/>; a time in the past runs as soon as possible.</summary>
    /// <param name="task">The task.</param>
    /// <param name="executionTime">When to run the task.</param>
    /// <param name="taskId">The id to store the task under; <see langword="null"/> keeps <see cref="GenericTask.TaskId"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task id.</returns>
    /// <exception cref="ArgumentException">The time is <see langword="default"/>, the id is invalid, or the payload is too large.</exception>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<string> ScheduleAtAsync(GenericTask task, DateTimeOffset executionTime, string? taskId = null, CancellationToken cancellationToken = default);

    /// <summary>Schedules many tasks in one round trip per batch.</summary>
    /// <param name="requests">The tasks and their times.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per request, in order.</returns>
    /// <exception cref="ArgumentException">A request is invalid; nothing is scheduled then.</exception>
    Task<IReadOnlyList<ScheduleResult>> ScheduleManyAsync(IReadOnlyList<ScheduleRequest> requests, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a pending task, or the version held back behind a running one (see
    /// <see cref="ScheduleStatus.RescheduledAfterRun"/>). A running version is not interrupted: it runs to its end.
    /// </summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> only when a pending or held-back version was removed; <see langword="false"/>
    /// for an unknown id or a task that is running (or queued in the broker) with nothing held back.</returns>
    Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Reads a task that is pending or in flight.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The task and its state, or <see langword="null"/> when no such task is stored.</returns>
    Task<ScheduledTaskInfo?> GetAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a recurring schedule, or updates it (the change applies from the next occurrence; an occurrence already
    /// dispatched is not touched). Storing an unchanged definition again is a no-op, so it is safe at every start-up.
    /// Each occurrence runs as a task with the id <see cref="RecurringTaskIds.For"/>, once per occurrence.
    /// </summary>
    /// <param name="scheduleId">The schedule id: a valid task id without <c>@</c>.</param>
    /// <param name="task">The handler and payload of every occurrence (its task id is ignored).</param>
    /// <param name="schedule">When it runs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the schedule was created, updated or unchanged.</returns>
    Task<RecurringUpsertStatus> AddOrUpdateRecurringAsync(string scheduleId, GenericTask task, RecurringSchedule schedule, CancellationToken cancellationToken = default);

    /// <summary>Removes a recurring schedule and cancels its occurrence still pending.</summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the schedule existed.</returns>
    Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken = default);
}

/// <summary>What to do when a task is scheduled under an id that is already stored.</summary>
public enum ExistingTaskPolicy
{
    /// <summary>Replace the stored task and its due time (the default).</summary>
    Reschedule = 0,

    /// <summary>Keep the stored task; the result says <see cref="ScheduleStatus.AlreadyExists"/>.</summary>
    Refuse = 1,
}

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

/// <summary>One task to schedule with <see cref="IScheduler.ScheduleManyAsync"/>: either a delay or an execution time.</summary>
/// <param name="Task">The task, stored under its <see cref="GenericTask.TaskId"/>.</param>
/// <param name="Delay">The delay from now, or <see langword="null"/> when <paramref name="ExecutionTime"/> is given.</param>
/// <param name="ExecutionTime">The execution time, or <see langword="null"/> when <paramref name="Delay"/> is given.</param>
/// <param name="Policy">Overrides <see cref="SchedulerOptions.ExistingTaskPolicy"/> for this request.</param>
public sealed record ScheduleRequest(GenericTask Task, TimeSpan? Delay = null, DateTimeOffset? ExecutionTime = null, ExistingTaskPolicy? Policy = null)
{
    /// <summary>A request to run <paramref name="task"/> after <paramref name="delay"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="delay">The delay.</param>
    /// <returns>The request.</returns>
    public static ScheduleRequest After(GenericTask task, TimeSpan delay) => new(task, Delay: delay);

    /// <summary>A request to run <paramref name="task"/> at <paramref name="executionTime"/>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="executionTime">The time.</param>
    /// <returns>The request.</returns>
    public static ScheduleRequest At(GenericTask task, DateTimeOffset executionTime) => new(task, ExecutionTime: executionTime);
}

/// <summary>The result of scheduling one task.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Status">What happened.</param>
public readonly record struct ScheduleResult(string TaskId, ScheduleStatus Status);

/// <summary>Where a stored task is in its life.</summary>
public enum ScheduledTaskState
{
    /// <summary>Waiting in the schedule for its due time.</summary>
    Pending = 1,

    /// <summary>Claimed by a worker and handed to the broker; not cancellable any more.</summary>
    InFlight = 2,

    /// <summary>
    /// A dead letter (see <see cref="IDeadLetterQueue"/>): listed by <see cref="ISchedulerOperations"/>, never returned
    /// by <see cref="IScheduler.GetAsync"/>.
    /// </summary>
    DeadLetter = 3,
}

/// <summary>A stored task and its state.</summary>
/// <param name="Task">The task, with <see cref="GenericTask.DueAt"/> set for a pending task.</param>
/// <param name="State">Pending or in flight.</param>
public sealed record ScheduledTaskInfo(GenericTask Task, ScheduledTaskState State);

/// <summary>Thrown when the schedule store cannot be reached or fails; the call's effect is unknown only when
/// <see cref="Exception.InnerException"/> is a timeout.</summary>
public sealed class SchedulerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="inner">The cause.</param>
    public SchedulerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
