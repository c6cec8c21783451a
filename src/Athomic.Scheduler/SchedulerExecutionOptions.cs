namespace Athomic.Scheduler;

/// <summary>Options of task execution.</summary>
public sealed class SchedulerExecutionOptions
{
    /// <summary>How many handlers run at once in this process. Default 16.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Attempts before a failing task is dead-lettered (a handler's <see cref="ScheduledHandlerAttribute.MaxAttempts"/> overrides it). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// How many times a task may be handed to a handler without the handler finishing (its process died or stalled
    /// past the lease, or the stream entry's visibility timeout) before it is dead-lettered instead of run again: a
    /// task whose handler crashes or hangs its process every time would otherwise take down every worker in turn,
    /// forever. Failures a handler reports (exceptions) count against <see cref="MaxAttempts"/> instead. Default 10.
    /// </summary>
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>The delay before the first retry; doubles with each attempt, with jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries. Default 5 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);
}
