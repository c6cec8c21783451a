using Athomic.Scheduler.Dashboard;
using Athomic.Scheduler.Dashboard.Metrics;
using Athomic.Scheduler.Dashboard.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// In the namespace of MapGet and friends: no extra using needed at the call site.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the scheduler dashboard.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the scheduler dashboard under <paramref name="path"/>: the overview at the path itself, lists, task pages,
    /// confirmed actions (unless <see cref="DashboardOptions.ReadOnly"/>) and the embedded assets. Needs
    /// <c>AddAthomicSchedulerDashboard</c> and <c>AddAthomicScheduler</c>. Every request is refused unless it satisfies
    /// <see cref="DashboardOptions.AuthorizationPolicy"/>, or, when no policy is set and
    /// <see cref="DashboardOptions.AllowLocalRequestsInDevelopment"/> is, comes from this machine and not through a proxy
    /// while the application runs in the <c>Development</c> environment. Works behind a <c>PathBase</c>.
    /// </summary>
    /// <param name="endpoints">The application or route group.</param>
    /// <param name="path">The path of the dashboard, for example <c>/scheduler</c>: literal segments only.</param>
    /// <returns>The route group of the dashboard's endpoints, for further conventions.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is not a literal path.</exception>
    /// <exception cref="InvalidOperationException">The dashboard's services are not registered, or the policy does not exist.</exception>
    public static IEndpointConventionBuilder MapAthomicSchedulerDashboard(this IEndpointRouteBuilder endpoints, string path = "/scheduler")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var prefix = DashboardPath.Normalize(path);
        var services = endpoints.ServiceProvider;
        if (services.GetService<DashboardMetrics>() is null)
        {
            throw new InvalidOperationException(
                "The scheduler dashboard's services are not registered: call builder.Services.AddAthomicSchedulerDashboard() before MapAthomicSchedulerDashboard.");
        }

        var options = services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        if (options.AuthorizationPolicy is { } policy
            && services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(policy).GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException(
                $"The scheduler dashboard's AuthorizationPolicy '{policy}' is not registered: add it with services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).");
        }

        return DashboardRoutes.Map(endpoints, prefix, options);
    }
}
