namespace Athomic.Scheduler.Observability;

/// <summary>
/// The names to subscribe to for the scheduler's traces and metrics, for example with OpenTelemetry:
/// <c>.WithTracing(t =&gt; t.AddSource(SchedulerDiagnostics.ActivitySourceName))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(SchedulerDiagnostics.MeterName))</c>. Every span, attribute and instrument is listed
/// in the README's "Observability" section.
/// </summary>
public static class SchedulerDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> of the scheduler's spans.</summary>
    public const string ActivitySourceName = "Athomic.Scheduler";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> of the scheduler's counters, histograms and gauges.</summary>
    public const string MeterName = "Athomic.Scheduler";
}
