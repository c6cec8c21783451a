using System.Diagnostics.Metrics;

namespace Athomic.Scheduler.Observability;

/// <summary>
/// The scheduler's metrics on the <see cref="System.Diagnostics.Metrics.Meter"/> named <see cref="MeterName"/>:
/// counters of tasks scheduled, cancelled, claimed, completed, failed, retried, released and dead-lettered by this
/// process, tagged with <c>schedule</c> (the key prefix) and, where known, <c>handler</c>; histograms of handler
/// duration and lateness in seconds; and (Redis stores) gauges of pending, in-flight and dead-letter counts per
/// partition (<c>Storage/ScheduleGauges.cs</c>). Names and units follow the OpenTelemetry conventions (UCUM units,
/// <c>{task}</c> for counts, <c>s</c> for durations).
/// </summary>
internal static class SchedulerMetrics
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>AddMeter("Athomic.Scheduler")</c>).</summary>
    public const string MeterName = SchedulerDiagnostics.MeterName;

    /// <summary>Counter name: tasks scheduled (accepted by the store) through this process.</summary>
    public const string Scheduled = "athomic.scheduler.tasks.scheduled";

    /// <summary>Counter name: pending tasks removed by a cancel (tagged <c>schedule</c> only: a cancel names just the task id).</summary>
    public const string Cancelled = "athomic.scheduler.tasks.cancelled";

    /// <summary>Counter name: handler runs that failed (an exception, no such handler, an unreadable payload), tagged <c>error.type</c> too.</summary>
    public const string Failed = "athomic.scheduler.tasks.failed";

    /// <summary>Histogram name: how long a handler ran, in seconds.</summary>
    public const string Duration = "athomic.scheduler.task.duration";

    /// <summary>Histogram name: how late a run started after its due time, in seconds.</summary>
    public const string Lateness = "athomic.scheduler.task.lateness";

    /// <summary>Gauge name: tasks waiting in the schedule (due or not), per partition.</summary>
    public const string Pending = "athomic.scheduler.tasks.pending";

    /// <summary>Gauge name: tasks claimed under a lease or queued in the stream, per partition.</summary>
    public const string InFlight = "athomic.scheduler.tasks.in_flight";

    /// <summary>Gauge name: dead letters kept, per partition.</summary>
    public const string DeadLetters = "athomic.scheduler.tasks.dead_letters";

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

    /// <summary>Bucket boundaries in seconds from 1 ms to 5 min (the OpenTelemetry defaults are in milliseconds).</summary>
    private static readonly double[] DurationBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    internal static readonly Meter Meter = new(MeterName, typeof(SchedulerMetrics).Assembly.GetName().Version?.ToString(3));

    internal static readonly Counter<long> ScheduledCounter = Meter.CreateCounter<long>(Scheduled, "{task}", "Tasks scheduled.");
    internal static readonly Counter<long> CancelledCounter = Meter.CreateCounter<long>(Cancelled, "{task}", "Pending tasks cancelled.");
    internal static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>(Failed, "{task}", "Handler runs that failed.");

    internal static readonly Histogram<double> DurationHistogram = Meter.CreateHistogram<double>(
        Duration, "s", "How long handlers ran.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    internal static readonly Histogram<double> LatenessHistogram = Meter.CreateHistogram<double>(
        Lateness, "s", "How late runs started after their due time.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    internal static readonly Counter<long> ClaimedCounter = Meter.CreateCounter<long>(Claimed, "{task}", "Tasks claimed from the schedule.");
    internal static readonly Counter<long> CompletedCounter = Meter.CreateCounter<long>(Completed, "{task}", "Tasks completed.");
    internal static readonly Counter<long> RetriedCounter = Meter.CreateCounter<long>(Retried, "{task}", "Tasks scheduled for another attempt.");
    internal static readonly Counter<long> ReleasedCounter = Meter.CreateCounter<long>(Released, "{task}", "Tasks handed back to the schedule.");
    internal static readonly Counter<long> ReclaimedCounter = Meter.CreateCounter<long>(Reclaimed, "{task}", "Stream entries reclaimed from a dead or stalled consumer.");
    internal static readonly Counter<long> DeadLetteredCounter = Meter.CreateCounter<long>(DeadLettered, "{task}", "Tasks moved to the dead letters.");
}
