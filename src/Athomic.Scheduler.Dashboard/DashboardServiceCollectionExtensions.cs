using Athomic.Scheduler;
using Athomic.Scheduler.Dashboard;
using Athomic.Scheduler.Dashboard.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the DI namespace, like the framework's own AddXxx methods: no extra using needed at the call site.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the services of the scheduler dashboard.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Adds what <c>MapAthomicSchedulerDashboard</c> needs: its options (validated when the host starts), ASP.NET Core
    /// anti-forgery and authorization, and the in-process listener of the scheduler's metrics. Call it next to
    /// <c>AddAthomicScheduler</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAthomicSchedulerDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DashboardOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>());
        services.AddAntiforgery();
        services.AddAuthorization();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new DashboardMetrics(
            sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.KeyPrefix,
            sp.GetRequiredService<IOptions<DashboardOptions>>().Value.MetricsWindow,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
