using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// Who may see the dashboard when no authorization policy is configured: only a request from this machine (loopback,
/// or the server's own address) while the application runs in the <c>Development</c> environment; every other
/// request gets 403. With a policy, ASP.NET Core's authorization middleware enforces it on every endpoint instead
/// (<c>RequireAuthorization</c> on the route group), before the endpoint runs.
/// </summary>
internal static class DashboardAccess
{
    public const string Refusal =
        "The scheduler dashboard is not available: configure DashboardOptions.AuthorizationPolicy to open it " +
        "(without a policy it answers only local requests in the Development environment).";

    /// <summary>Whether the request may see the dashboard when no policy is configured.</summary>
    public static bool IsLocalDevelopment(HttpContext http) =>
        http.RequestServices.GetService<IHostEnvironment>()?.IsDevelopment() == true && IsLocal(http.Connection);

    internal static bool IsLocal(ConnectionInfo connection) => connection.RemoteIpAddress switch
    {
        null => false,
        { } remote when IPAddress.IsLoopback(remote) => true,
        { } remote => remote.Equals(connection.LocalIpAddress),
    };

    /// <summary>Headers of every dashboard response: no script, no framing, no referrer carrying task ids away.</summary>
    public static void ApplySecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
    }
}
