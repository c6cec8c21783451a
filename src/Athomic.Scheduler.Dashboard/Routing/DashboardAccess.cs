using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// Who may see the dashboard when no authorization policy is configured: nobody, unless
/// <see cref="DashboardOptions.AllowLocalRequestsInDevelopment"/> lets in a request from this machine (loopback, or the
/// server's own address) that carries no proxy's forwarding header, while the application runs in the
/// <c>Development</c> environment; every other request gets 403. With a policy, ASP.NET Core's authorization
/// middleware enforces it on every endpoint instead (<c>RequireAuthorization</c> on the route group), before the
/// endpoint runs.
/// </summary>
internal static class DashboardAccess
{
    public const string Refusal =
        "The scheduler dashboard is not available: configure DashboardOptions.AuthorizationPolicy to open it " +
        "(or, for a developer's own browser, DashboardOptions.AllowLocalRequestsInDevelopment, which lets in only " +
        "requests made on this machine, not through a proxy, in the Development environment).";

    /// <summary>
    /// The headers a proxy adds (and those <c>UseForwardedHeaders</c> leaves once it has applied them): a request that
    /// carries one came through a proxy, whatever its <see cref="ConnectionInfo.RemoteIpAddress"/> says.
    /// </summary>
    internal static readonly string[] ForwardingHeaders =
    [
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP", "Via",
        "X-Original-For", "X-Original-Host", "X-Original-Proto",
    ];

    /// <summary>Why a request is refused when no policy is configured, or <see langword="null"/> when it may see the dashboard.</summary>
    public static string? RefusalWithoutPolicy(HttpContext http, DashboardOptions options)
    {
        if (!options.AllowLocalRequestsInDevelopment
            || http.RequestServices.GetService<IHostEnvironment>()?.IsDevelopment() != true
            || !IsLocal(http.Connection))
        {
            return Refusal;
        }

        return Array.Find(ForwardingHeaders, http.Request.Headers.ContainsKey) is { } header
            ? $"The scheduler dashboard refuses this request: it came through a proxy (it carries {header}), and without " +
              "DashboardOptions.AuthorizationPolicy only requests made on this machine, not through a proxy, get in. " +
              "Configure a policy to serve the dashboard through a proxy."
            : null;
    }

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
