namespace Athomic.Scheduler.Dashboard.Routing;

/// <summary>The dashboard's own path: literal segments only, so every link can be built from it.</summary>
internal static class DashboardPath
{
    /// <summary>Checks <paramref name="path"/> and returns it with a leading and without a trailing slash (<c>""</c> for the root).</summary>
    /// <exception cref="ArgumentException">The path has route parameters, a query, or characters a URL path cannot hold.</exception>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var trimmed = path.Trim().TrimEnd('/');
        if (trimmed.Length > 0 && trimmed[0] != '/')
        {
            trimmed = "/" + trimmed;
        }

        foreach (var c in trimmed)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~'))
            {
                throw new ArgumentException(
                    $"The dashboard path must be a literal path of letters, digits, '-', '_', '.' and '~' (for example /scheduler); '{path}' has '{c}'.",
                    nameof(path));
            }
        }

        if (trimmed.Contains("//", StringComparison.Ordinal))
        {
            throw new ArgumentException($"The dashboard path '{path}' has an empty segment.", nameof(path));
        }

        return trimmed;
    }
}
