using System.Diagnostics.Metrics;
using Athomic.Scheduler.Dashboard.Metrics;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>The overview's rolling window over the scheduler's meter, on a fake clock.</summary>
public sealed class MetricsTests
{
    [Fact]
    public void Counts_and_lateness_of_this_schedule_fill_the_window_and_age_out_of_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var metrics = new DashboardMetrics("mine", TimeSpan.FromMinutes(5), time);
        using var meter = new Meter(SchedulerDiagnostics.MeterName); // the same instrument names as the library's meter
        var completed = meter.CreateCounter<long>("athomic.scheduler.tasks.completed");
        var lateness = meter.CreateHistogram<double>("athomic.scheduler.task.lateness");
        var mine = new KeyValuePair<string, object?>("schedule", "mine");
        var other = new KeyValuePair<string, object?>("schedule", "other");

        completed.Add(3, mine);
        completed.Add(5, other); // another scheduler in the same process
        time.Advance(TimeSpan.FromSeconds(30));
        completed.Add(1, mine);
        foreach (var seconds in new[] { 0.010, 0.020, 0.030, 0.040, 2.0 })
        {
            lateness.Record(seconds, mine);
        }

        var snapshot = metrics.Snapshot();
        Assert.Equal(4, snapshot.Total(RunCounter.Completed));
        Assert.Equal(TimeSpan.FromSeconds(30), snapshot.Window); // the listener has run for 30 s only
        Assert.Equal(4 / 30.0, snapshot.PerSecond(RunCounter.Completed), 6);
        Assert.Equal(3, snapshot.CompletedPerSlot[^4]);
        Assert.Equal(1, snapshot.CompletedPerSlot[^1]);
        Assert.InRange(snapshot.LatenessP50, 0.030 * 0.85, 0.030 * 1.15);
        Assert.Equal(2.0, snapshot.LatenessMax);

        time.Advance(TimeSpan.FromMinutes(6));
        var later = metrics.Snapshot();
        Assert.Equal(0, later.Total(RunCounter.Completed));
        Assert.True(double.IsNaN(later.LatenessP50));
    }
}
