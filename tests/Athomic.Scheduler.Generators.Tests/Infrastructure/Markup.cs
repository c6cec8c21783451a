using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>Source with marked spans: <c>{|#0:text|}</c> marks <c>text</c> as location 0. Markers do not nest.</summary>
internal static class Markup
{
    public static (string Source, IReadOnlyDictionary<int, TextSpan> Spans) Parse(string markup)
    {
        var source = new StringBuilder();
        var spans = new Dictionary<int, TextSpan>();
        var i = 0;
        while (i < markup.Length)
        {
            var open = markup.IndexOf("{|#", i, StringComparison.Ordinal);
            if (open < 0)
            {
                source.Append(markup, i, markup.Length - i);
                break;
            }

            source.Append(markup, i, open - i);
            var colon = markup.IndexOf(':', open);
            var index = int.Parse(markup.AsSpan(open + 3, colon - open - 3));
            var close = markup.IndexOf("|}", colon, StringComparison.Ordinal);
            var start = source.Length;
            source.Append(markup, colon + 1, close - colon - 1);
            spans.Add(index, TextSpan.FromBounds(start, source.Length));
            i = close + 2;
        }

        return (source.ToString(), spans);
    }
}
