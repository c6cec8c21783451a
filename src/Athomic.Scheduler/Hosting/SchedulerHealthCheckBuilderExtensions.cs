using Athomic.Scheduler;
using Athomic.Scheduler.Health;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

// In the DI namespace, like AddCheck and the AspNetCore.HealthChecks.* packages: no extra using at the call site.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the scheduler's health checks to a health checks builder.</summary>
public static class SchedulerHealthCheckBuilderExtensions
{
    /// <summary>The tag of every check added by <see cref="AddAthomicSchedulerHealthChecks"/>.</summary>
    public const string Tag = "athomic-scheduler";

    /// <summary>
    /// Adds four checks of the scheduler registered with <c>AddAthomicScheduler()</c>, tagged <see cref="Tag"/>:
    /// <c>athomic-scheduler-redis</c> (the store answers, else <c>Unhealthy</c>), <c>athomic-scheduler-worker</c>
    /// (this host's worker loop polled within <see cref="SchedulerHealthCheckOptions.WorkerPollTimeout"/>, else
    /// <c>Unhealthy</c>), <c>athomic-scheduler-lateness</c> (the first due task is no later than
    /// <see cref="SchedulerHealthCheckOptions.LatenessThreshold"/>, else <c>Degraded</c>) and
    /// <c>athomic-scheduler-dead-letters</c> (no dead letter added within
    /// <see cref="SchedulerHealthCheckOptions.DeadLetterWindow"/>, else <c>Degraded</c>). The options are validated
    /// when the host starts.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="configure">Sets the thresholds.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddAthomicSchedulerHealthChecks(this IHealthChecksBuilder builder, Action<SchedulerHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<SchedulerHealthCheckOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options
            .Validate(o => o.LatenessThreshold > TimeSpan.Zero, "SchedulerHealthCheckOptions.LatenessThreshold must be greater than 0.")
            .Validate(o => o.DeadLetterWindow > TimeSpan.Zero, "SchedulerHealthCheckOptions.DeadLetterWindow must be greater than 0.")
            .Validate(o => o.WorkerPollTimeout is null || o.WorkerPollTimeout > TimeSpan.Zero, "SchedulerHealthCheckOptions.WorkerPollTimeout must be greater than 0 (or null: twice Worker:MaxPollDelay).")
            .Validate(o => o.MaxSnapshotAge >= TimeSpan.Zero, "SchedulerHealthCheckOptions.MaxSnapshotAge must not be negative.")
            .ValidateOnStart();

        string[] tags = [Tag];
        Add(builder, SchedulerHealthCheck.StoreName, SchedulerHealthCheck.Check.Store, HealthStatus.Unhealthy, tags);
        Add(builder, SchedulerHealthCheck.WorkerName, SchedulerHealthCheck.Check.Worker, HealthStatus.Unhealthy, tags);
        Add(builder, SchedulerHealthCheck.LatenessName, SchedulerHealthCheck.Check.Lateness, HealthStatus.Degraded, tags);
        Add(builder, SchedulerHealthCheck.DeadLettersName, SchedulerHealthCheck.Check.DeadLetters, HealthStatus.Degraded, tags);
        return builder;
    }

    private static void Add(IHealthChecksBuilder builder, string name, SchedulerHealthCheck.Check check, HealthStatus failureStatus, string[] tags) =>
        builder.Add(new HealthCheckRegistration(
            name,
            sp => new SchedulerHealthCheck(
                check,
                sp.GetRequiredService<ScheduleStatistics>(),
                sp.GetRequiredService<WorkerHeartbeat>(),
                sp.GetRequiredService<IOptions<SchedulerHealthCheckOptions>>().Value,
                sp.GetRequiredService<IOptions<SchedulerOptions>>().Value,
                sp.GetRequiredService<TimeProvider>()),
            failureStatus,
            tags));
}
