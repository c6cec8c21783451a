namespace Athomic.Scheduler.Health;

/// <summary>
/// Thresholds of the scheduler's health checks (<c>AddAthomicSchedulerHealthChecks()</c>), validated when the host
/// starts.
/// </summary>
public sealed class SchedulerHealthCheckOptions
{
    /// <summary>
    /// How long the first due task may wait past its due time before <c>athomic-scheduler-lateness</c> reports
    /// <c>Degraded</c> (workers down, too few, or too slow). Greater than zero. Default one minute.
    /// </summary>
    public TimeSpan LatenessThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <c>athomic-scheduler-dead-letters</c> reports <c>Degraded</c> while a dead letter was added within this window
    /// (on the store's clock), i.e. while the dead letters grow. Greater than zero. Default 15 minutes.
    /// </summary>
    public TimeSpan DeadLetterWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long this host's worker loop may go without polling before <c>athomic-scheduler-worker</c> reports
    /// <c>Unhealthy</c>; <see langword="null"/> (the default) is twice <c>Worker:MaxPollDelay</c> (the longest the loop
    /// sleeps between polls), but at least 10 seconds.
    /// </summary>
    public TimeSpan? WorkerPollTimeout { get; set; }

    /// <summary>
    /// How old the counts read from the store may be when a check reports them: checks run together share one read
    /// (one call per partition). At least zero. Default one second.
    /// </summary>
    public TimeSpan MaxSnapshotAge { get; set; } = TimeSpan.FromSeconds(1);
}
