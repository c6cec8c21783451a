namespace Athomic.Scheduler.Dashboard;

/// <summary>
/// Options of the scheduler dashboard (<c>AddAthomicSchedulerDashboard</c>, <c>MapAthomicSchedulerDashboard</c>),
/// validated when the host starts.
/// </summary>
/// <remarks>
/// Without <see cref="AuthorizationPolicy"/> the dashboard refuses every request with 403, unless
/// <see cref="AllowLocalRequestsInDevelopment"/> lets in requests made on this machine, not through a proxy, while the
/// application runs in the <c>Development</c> environment.
/// </remarks>
public sealed class DashboardOptions
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 500;

    /// <summary>
    /// The name of the ASP.NET Core authorization policy every dashboard request must satisfy (register it with
    /// <c>AddAuthorization</c>; the app authenticates users as usual). <see langword="null"/> (the default) refuses
    /// every request, except local ones in <c>Development</c> with <see cref="AllowLocalRequestsInDevelopment"/>.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>
    /// For a developer's own browser, without a login: when <see langword="true"/> and no
    /// <see cref="AuthorizationPolicy"/> is set, a request from this machine (a loopback address, or the server's own)
    /// gets in while the application runs in the <c>Development</c> environment. Default <see langword="false"/>:
    /// without a policy, every request is refused (403). Ignored when a policy is set.
    /// </summary>
    /// <remarks>
    /// Behind a reverse proxy on the same host every client connects from 127.0.0.1, so a request that carries a
    /// proxy's headers (<c>Forwarded</c>, <c>X-Forwarded-For</c>, <c>X-Forwarded-Host</c>, <c>X-Forwarded-Proto</c>,
    /// <c>X-Real-IP</c>, <c>Via</c>, or the <c>X-Original-For</c>, <c>X-Original-Host</c> and
    /// <c>X-Original-Proto</c> that <c>UseForwardedHeaders</c> leaves) is refused even so. A proxy or tunnel that adds
    /// none of them cannot be told apart from a local browser: never set this on a host a proxy or tunnel exposes,
    /// whatever its environment; serve the dashboard through a proxy with a policy.
    /// </remarks>
    public bool AllowLocalRequestsInDevelopment { get; set; }

    /// <summary>
    /// When <see langword="true"/>, the dashboard only shows: no action endpoint is mapped and no action button is
    /// rendered (cancel, run now, requeue, purge, remove or trigger a recurring schedule). Default <see langword="false"/>.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>Rows per page of the lists (1–<see cref="MaxPageSize"/>). Default 50.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>The title shown in the page header and the browser tab. Default <c>Athomic Scheduler</c>.</summary>
    public string Title { get; set; } = "Athomic Scheduler";

    /// <summary>
    /// How far back the overview's throughput and lateness look (1 minute to 1 hour). They come from the scheduler's
    /// metrics in this process, kept in 30 slots of a thirtieth of this window each. Default 5 minutes.
    /// </summary>
    public TimeSpan MetricsWindow { get; set; } = TimeSpan.FromMinutes(5);
}
