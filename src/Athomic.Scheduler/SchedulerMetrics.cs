using System.Diagnostics.Metrics;

namespace Athomic.Scheduler;

/// <summary>
/// The scheduler's metrics on the <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>:
/// counters of tasks claimed, completed, retried, released and dead-lettered by this process, tagged with
/// <c>schedule</c> (the key prefix) and, where known, <c>handler</c>.
/// </summary>
internal static class SchedulerMetrics
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>AddMeter("Athomic.Scheduler")</c>).</summary>
    public const string MeterName = "Athomic.Scheduler";

    /// <summary>Counter name: tasks claimed from the schedule.</summary>
    public const string Claimed = "athomic.scheduler.tasks.claimed";

    /// <summary>Counter name: tasks whose lease ended as completed.</summary>
    public const string Completed = "athomic.scheduler.tasks.completed";

    /// <summary>Counter name: tasks put back for another attempt.</summary>
    public const string Retried = "athomic.scheduler.tasks.retried";

    /// <summary>Counter name: tasks handed back unchanged (shutdown).</summary>
    public const string Released = "athomic.scheduler.tasks.released";

    /// <summary>Counter name: tasks moved to the dead letters.</summary>
    public const string DeadLettered = "athomic.scheduler.tasks.dead_lettered";

    /// <summary>Counter name: stream entries taken over from a consumer that died or stalled past the visibility timeout (streams broker).</summary>
    public const string Reclaimed = "athomic.scheduler.tasks.reclaimed";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> ClaimedCounter = Meter.CreateCounter<long>(Claimed, "{task}", "Tasks claimed from the schedule.");
    internal static readonly Counter<long> CompletedCounter = Meter.CreateCounter<long>(Completed, "{task}", "Tasks completed.");
    internal static readonly Counter<long> RetriedCounter = Meter.CreateCounter<long>(Retried, "{task}", "Tasks scheduled for another attempt.");
    internal static readonly Counter<long> ReleasedCounter = Meter.CreateCounter<long>(Released, "{task}", "Tasks handed back to the schedule.");
    internal static readonly Counter<long> ReclaimedCounter = Meter.CreateCounter<long>(Reclaimed, "{task}", "Stream entries reclaimed from a dead or stalled consumer.");
    internal static readonly Counter<long> DeadLetteredCounter = Meter.CreateCounter<long>(DeadLettered, "{task}", "Tasks moved to the dead letters.");
}
