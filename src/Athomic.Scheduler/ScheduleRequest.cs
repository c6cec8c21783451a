namespace Athomic.Scheduler;

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
