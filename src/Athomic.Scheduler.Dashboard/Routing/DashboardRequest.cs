using System.Text;
using Microsoft.AspNetCore.Http;

namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>
/// One request to the dashboard: its <see cref="HttpContext"/>, the options, and the dashboard's base URL
/// (<c>PathBase</c> + the mapped path), from which every link is built, so the pages work behind a path base.
/// </summary>
internal sealed class DashboardRequest(HttpContext http, string prefix, DashboardOptions options, DateTimeOffset now)
{
    public HttpContext Http { get; } = http;

    public DashboardOptions Options { get; } = options;

    /// <summary>The time the page is rendered at (the host's clock; for relative times only).</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>The dashboard's root, e.g. <c>/app/scheduler</c> behind path base <c>/app</c>.</summary>
    public string Root { get; } = http.Request.PathBase.Add(new PathString(prefix)).Value ?? string.Empty;

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>A query value of the request, trimmed; <see langword="null"/> when missing or blank.</summary>
    public string? Query(string name)
    {
        var value = Http.Request.Query[name].ToString().Trim();
        return value.Length == 0 ? null : value;
    }

    /// <summary>
    /// The URL of a dashboard page: <paramref name="page"/> (<c>""</c> for the overview, else e.g. <c>pending</c>)
    /// with the query values that are not null, each escaped.
    /// </summary>
    public string Url(string page, params (string Name, string? Value)[] query)
    {
        var url = new StringBuilder(Root).Append('/').Append(page);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is null)
            {
                continue;
            }

            url.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return url.ToString();
    }
}
