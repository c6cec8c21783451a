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
    /// Each occurrence runs as a task with the id <see cref="Recurring.RecurringTaskIds.For"/>, once per occurrence.
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
