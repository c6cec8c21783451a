using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Microsoft.AspNetCore.Http;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>The sections of the dashboard, one navigation link each.</summary>
internal enum Section
{
    Overview,
    Pending,
    InFlight,
    DeadLetters,
    Recurring,
    Handlers,
    None,
}

/// <summary>The page shell: head with the embedded stylesheet, navigation, the outcome of the last action, and the body.</summary>
internal static class Layout
{
    private static readonly (Section Section, string Page, string Label)[] Navigation =
    [
        (Section.Overview, string.Empty, "Overview"),
        (Section.Pending, "pending", "Pending"),
        (Section.InFlight, "inflight", "In flight"),
        (Section.DeadLetters, "dead", "Dead letters"),
        (Section.Recurring, "recurring", "Recurring"),
        (Section.Handlers, "handlers", "Handlers"),
    ];

    /// <summary>An HTML page response (never cached: it shows live data).</summary>
    public static IResult Page(DashboardRequest request, Section section, string title, Markup body, int statusCode = StatusCodes.Status200OK)
    {
        var html = new HtmlWriter();
        var css = request.Url("assets/dashboard.css", ("v", DashboardAssets.Version("dashboard.css")));
        var icon = request.Url("assets/favicon.svg", ("v", DashboardAssets.Version("favicon.svg")));
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{title} · {request.Options.Title}</title>
            <link rel="stylesheet" href="{css}">
            <link rel="icon" type="image/svg+xml" href="{icon}">
            </head>
            <body>
            <header class="top">
            <a class="brand" href="{request.Url(string.Empty)}"><img src="{icon}" alt="" width="22" height="22">{request.Options.Title}</a>
            <nav aria-label="Sections">
            """);
        foreach (var (s, page, label) in Navigation)
        {
            html.Append($"""<a href="{request.Url(page)}"{(s == section ? new Markup(" aria-current=\"page\"") : Markup.Empty)}>{label}</a>""");
        }

        html.Append($"""
            </nav>
            <form class="find" method="get" action="{request.Url("task")}" role="search">
            <input type="search" name="id" placeholder="Open a task by id" aria-label="Task id" required>
            <button type="submit">Open</button>
            </form>
            {(request.Options.ReadOnly ? new Markup("""<span class="badge" title="Actions are turned off">read-only</span>""") : Markup.Empty)}
            </header>
            <main>
            {Flash.Render(request)}
            <h1>{title}</h1>
            {body}
            </main>
            </body>
            </html>
            """);
        request.Http.Response.Headers.CacheControl = "no-store";
        return Results.Content(html.ToString(), "text/html; charset=utf-8", statusCode: statusCode);
    }

    /// <summary>A page that only says what went wrong (not found, store unavailable, bad input).</summary>
    public static IResult Message(DashboardRequest request, string title, string message, int statusCode, Markup extra = default) =>
        Page(request, Section.None, title, HtmlWriter.Of($"""<p class="notice">{message}</p>{extra}"""), statusCode);

    /// <summary>A link styled as a button.</summary>
    public static Markup ButtonLink(string href, string label, string kind = "") =>
        HtmlWriter.Of($"""<a class="button {kind}" href="{href}">{label}</a>""");

    /// <summary>A time with its UTC value, its relative distance from now, and the ISO value for machines.</summary>
    public static Markup Time(DashboardRequest request, DateTimeOffset? time) => time is { } t
        ? HtmlWriter.Of($"""<time datetime="{Format.Iso(t)}" title="{Format.Iso(t)}">{Format.Utc(t)}</time> <span class="muted">{Format.Relative(t, request.Now)}</span>""")
        : new Markup("""<span class="muted">–</span>""");
}
