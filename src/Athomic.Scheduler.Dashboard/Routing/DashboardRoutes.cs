using Athomic.Scheduler.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// The dashboard's endpoints, all in one route group under its path. Every endpoint is a plain request delegate made
/// by <see cref="Endpoint"/>, which applies the access rule (policy, or local requests in Development when allowed) and the security
/// headers before anything else, assets included, and turns an unreachable store into a page that says so.
/// </summary>
internal sealed class DashboardRoutes(string prefix, bool policyConfigured)
{
    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string prefix, DashboardOptions options)
    {
        var routes = new DashboardRoutes(prefix, options.AuthorizationPolicy is not null);
        var group = endpoints.MapGroup(prefix.Length == 0 ? "/" : prefix);
        if (options.AuthorizationPolicy is { } policy)
        {
            group.RequireAuthorization(policy);
        }

        group.ExcludeFromDescription();
        group.MapGet("/", routes.Endpoint(OverviewPage.RenderAsync));
        group.MapGet("/pending", routes.Endpoint(r => TaskListPage.RenderAsync(r, ScheduledTaskState.Pending)));
        group.MapGet("/inflight", routes.Endpoint(r => TaskListPage.RenderAsync(r, ScheduledTaskState.InFlight)));
        group.MapGet("/dead", routes.Endpoint(r => TaskListPage.RenderAsync(r, ScheduledTaskState.DeadLetter)));
        group.MapGet("/recurring", routes.Endpoint(RecurringListPage.RenderAsync));
        group.MapGet("/handlers", routes.Endpoint(HandlersPage.RenderAsync));
        group.MapGet("/task", routes.Endpoint(TaskDetailPage.RenderAsync));
        group.MapGet("/assets/{name}", routes.Endpoint(r => Task.FromResult(DashboardAssets.Serve(r.Http, r.Http.GetRouteValue("name") as string ?? string.Empty))));
        if (!options.ReadOnly)
        {
            group.MapGet("/confirm", routes.Endpoint(r => Task.FromResult(ConfirmPage.Render(r))));
            group.MapPost("/action", routes.Endpoint(DashboardActions.PostAsync));
        }

        return group;
    }

    /// <summary>The request delegate of one page.</summary>
    private RequestDelegate Endpoint(Func<DashboardRequest, Task<IResult>> page) => async http =>
    {
        DashboardAccess.ApplySecurityHeaders(http.Response);
        var options = http.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value;
        if (!policyConfigured && DashboardAccess.RefusalWithoutPolicy(http, options) is { } refusal)
        {
            await Results.Text(refusal, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(http);
            return;
        }

        var request = new DashboardRequest(http, prefix, options, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        IResult result;
        try
        {
            result = await page(request);
        }
        catch (SchedulerUnavailableException ex)
        {
            result = Layout.Message(request, "Store unavailable", "The schedule store cannot be reached: " + ex.Message, StatusCodes.Status503ServiceUnavailable);
        }
        catch (NotSupportedException ex)
        {
            result = Layout.Message(request, "Not supported", ex.Message, StatusCodes.Status501NotImplemented);
        }

        await result.ExecuteAsync(http);
    };
}
