using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Runs a host over a "poison" task (delivered 3 times already, never finished) and a "survivor" task.</summary>
internal static class PoisonRun
{
    /// <summary>
    /// Starts <paramref name="host"/> (configured with <c>Execution:MaxDeliveries = 3</c>), waits until the survivor ran
    /// and the poison task was dead-lettered, stops it, and checks that only the survivor ran and why the poison task
    /// was dead-lettered.
    /// </summary>
    public static async Task AssertPoisonDeadLetteredAsync(IHost host, RecordingRegistry registry, MetricWaiter metrics, TimeSpan timeout)
    {
        await host.StartAsync();
        await registry.WhenDistinctRuns(1, timeout);
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, timeout);
        await host.StopAsync();

        Assert.Equal(["survivor"], registry.Runs.Keys);
        var dead = await host.Services.GetRequiredService<IDeadLetterQueue>().GetAsync("poison");
        Assert.Contains("delivered 4 times", dead!.Reason, StringComparison.Ordinal);
        Assert.Contains("Execution:MaxDeliveries", dead.Reason, StringComparison.Ordinal);
    }
}
