using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Athomic.Scheduler.Generators.Model;

/// <summary>Where a diagnostic points, as plain values (a <see cref="Location"/> would pin the syntax tree in the cache).</summary>
/// <param name="FilePath">The path of the syntax tree.</param>
/// <param name="Span">The span in the tree's text.</param>
/// <param name="LineSpan">The same span as lines and columns.</param>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>The location in <paramref name="compilation"/>'s tree of <see cref="FilePath"/> when there is one, else a path and a span.</summary>
    public Location ToLocation(Compilation? compilation = null)
    {
        foreach (var tree in compilation?.SyntaxTrees ?? Enumerable.Empty<SyntaxTree>())
        {
            if (tree.FilePath == FilePath && Span.End <= tree.Length)
            {
                return Location.Create(tree, Span);
            }
        }

        return Location.Create(FilePath, Span, LineSpan);
    }

    public static LocationInfo? From(Location? location)
    {
        if (location?.SourceTree is null)
        {
            return null;
        }

        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());
}
