namespace Athomic.Scheduler.Dashboard;

/// <summary>
/// Options of the scheduler dashboard (<c>AddAthomicSchedulerDashboard</c>, <c>MapAthomicSchedulerDashboard</c>),
/// validated when the host starts.
/// </summary>
/// <remarks>
/// Without <see cref="AuthorizationPolicy"/> the dashboard answers only requests from this machine (loopback) while
/// the application runs in the <c>Development</c> environment, and refuses every other request with 403.
/// </remarks>
public sealed class DashboardOptions
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 500;

    /// <summary>
    /// The name of the ASP.NET Core authorization policy every dashboard request must satisfy (register it with
    /// <c>AddAuthorization</c>; the app authenticates users as usual). <see langword="null"/> (the default) allows
    /// only local requests in the <c>Development</c> environment.
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

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
