using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// Keyset paging: the store returns a cursor for the next page, so every page costs O(log n + page) however deep it
/// is. The links are First and Next; the page number only counts how far the reader went.
/// </summary>
internal static class Paging
{
    /// <summary>The page number of the request (1 when missing or invalid).</summary>
    public static int PageNumber(DashboardRequest request) =>
        int.TryParse(request.Query("page"), out var page) && page > 0 ? page : 1;

    /// <summary>The pager: First (unless on the first page), the page number, Next (when there is more).</summary>
    /// <param name="request">The request.</param>
    /// <param name="page">The list's page (e.g. <c>pending</c>).</param>
    /// <param name="filters">The filters to keep in the links.</param>
    /// <param name="nextCursor">The cursor of the next page, or <see langword="null"/> at the end.</param>
    public static Markup Render(DashboardRequest request, string page, (string Name, string? Value)[] filters, string? nextCursor)
    {
        var number = PageNumber(request);
        var html = new HtmlWriter();
        html.Append($"""<nav class="pager" aria-label="Pages">""");
        html.Append(number > 1
            ? HtmlWriter.Of($"""<a class="button" rel="first" href="{request.Url(page, filters)}">« First</a>""")
            : new Markup("""<span class="button disabled">« First</span>"""));
        html.Append($"""<span class="page">Page {number}</span>""");
        html.Append(nextCursor is not null
            ? HtmlWriter.Of($"""<a class="button" rel="next" href="{request.Url(page, [.. filters, ("cursor", nextCursor), ("page", (number + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))])}">Next »</a>""")
            : new Markup("""<span class="button disabled">Next »</span>"""));
        html.Append($"</nav>");
        return html.ToMarkup();
    }
}
