using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Athomic.Scheduler.EndToEnd.Tests.Docs;

/// <summary>
/// The relative links of markdown files, checked as GitHub renders them: the file must exist, and a <c>#anchor</c> must
/// name a heading of the target (lowercase, spaces to '-', punctuation dropped except '-' and '_'; a repeated heading
/// gets -1, -2, …). Links inside code (fenced blocks, inline code) are not links; links with a scheme are not checked.
/// </summary>
internal static partial class MarkdownLinks
{
    /// <summary>One line per broken link: <c>file: (link) why</c>.</summary>
    public static IReadOnlyList<string> Broken(string root, IEnumerable<string> files)
    {
        var broken = new List<string>();
        var anchors = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var path = Path.GetFullPath(Path.Combine(root, file));
            foreach (var link in Links(File.ReadAllText(path)))
            {
                if (Problem(path, link, anchors) is { } problem)
                {
                    broken.Add($"{file}: ({link}) {problem}");
                }
            }
        }

        return broken;
    }

    /// <summary>The file a relative link points to (full path), or null for a link with a scheme.</summary>
    public static string? Target(string fromFile, string link)
    {
        if (Scheme().IsMatch(link) || link.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        var hash = link.IndexOf('#', StringComparison.Ordinal);
        var target = hash < 0 ? link : link[..hash];
        return target.Length == 0
            ? Path.GetFullPath(fromFile)
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(fromFile))!, Uri.UnescapeDataString(target)));
    }

    private static string? Problem(string fromFile, string link, Dictionary<string, HashSet<string>> anchors)
    {
        if (Target(fromFile, link) is not { } target)
        {
            return null;
        }

        if (!File.Exists(target) && !Directory.Exists(target))
        {
            return "points to a file that does not exist";
        }

        var hash = link.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return null;
        }

        var anchor = Uri.UnescapeDataString(link[(hash + 1)..]);
        if (!target.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            return LineAnchor().IsMatch(anchor) ? null : "has an anchor into a file that is not markdown";
        }

        if (!anchors.TryGetValue(target, out var known))
        {
            known = Anchors(File.ReadAllText(target));
            anchors[target] = known;
        }

        return known.Contains(anchor) ? null : $"names no heading of {Path.GetFileName(target)} (it has: {string.Join(", ", known.Order(StringComparer.Ordinal))})";
    }

    /// <summary>The link targets of a markdown text, outside code.</summary>
    public static IEnumerable<string> Links(string markdown)
    {
        foreach (var line in OutsideFences(markdown))
        {
            var text = InlineCode().Replace(line, "");
            foreach (Match m in InlineLink().Matches(text))
            {
                yield return m.Groups["url"].Value;
            }

            if (ReferenceDefinition().Match(text) is { Success: true } definition)
            {
                yield return definition.Groups["url"].Value;
            }
        }
    }

    /// <summary>The anchors GitHub gives the headings of a markdown text (and explicit <c>&lt;a name|id&gt;</c> anchors).</summary>
    public static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in OutsideFences(markdown))
        {
            if (Heading().Match(line) is { Success: true } heading)
            {
                var slug = Slug(heading.Groups["text"].Value);
                var count = seen.GetValueOrDefault(slug);
                seen[slug] = count + 1;
                anchors.Add(count == 0 ? slug : $"{slug}-{count}");
            }

            foreach (Match a in HtmlAnchor().Matches(line))
            {
                anchors.Add(a.Groups["name"].Value);
            }
        }

        return anchors;
    }

    /// <summary>GitHub's anchor of a heading's text: its rendered text, lowercase, spaces to '-', punctuation dropped except '-' and '_'.</summary>
    public static string Slug(string heading)
    {
        var text = InlineLink().Replace(heading, m => m.Groups["text"].Value).ToLowerInvariant();
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == ' ')
            {
                slug.Append('-');
            }
            else if (c is '-' or '_' || char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                slug.Append(c);
            }
        }

        return slug.ToString();
    }

    private static IEnumerable<string> OutsideFences(string markdown)
    {
        string? fence = null;
        foreach (var line in markdown.Split('\n'))
        {
            var marker = Fence().Match(line);
            if (fence is null && marker.Success)
            {
                fence = marker.Groups["fence"].Value;
            }
            else if (fence is not null && marker.Success && marker.Groups["fence"].Value.StartsWith(fence, StringComparison.Ordinal)
                && line.Trim().Trim(fence[0]).Length == 0)
            {
                fence = null;
            }
            else if (fence is null)
            {
                yield return line.TrimEnd('\r');
            }
        }
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})")]
    private static partial Regex Fence();

    [GeneratedRegex(@"(`+).+?\1")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"!?\[(?<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?(?<url>[^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"^ {0,3}\[[^\]]+\]:\s*<?(?<url>[^\s>]+)")]
    private static partial Regex ReferenceDefinition();

    [GeneratedRegex(@"^ {0,3}#{1,6}\s+(?<text>.*?)(?:\s+#+)?\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"<a\s+(?:name|id)=""(?<name>[^""]+)""")]
    private static partial Regex HtmlAnchor();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^L\d+(-L\d+)?$")]
    private static partial Regex LineAnchor();
}
