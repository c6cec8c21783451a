using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>One expected diagnostic: its id, the marked location (<c>{|#n:…|}</c>) and its full message.</summary>
internal sealed record Expected(string Id, int Location, string Message);

/// <summary>
/// Runs the generator over marked-up source and asserts the exact set of diagnostics: every generator diagnostic and
/// every compiler error or warning of the output compilation must be expected (id, span in <c>Handlers.cs</c>,
/// message), and every expected one must occur.
/// </summary>
internal static class DiagnosticAssert
{
    public static GeneratorOutcome Verify(string markup, params Expected[] expected)
    {
        var (source, spans) = Markup.Parse(markup);
        var outcome = GeneratorHarness.Run(source);
        var actual = outcome.AllDiagnostics.ToList();
        var unmatched = new List<string>();
        foreach (var e in expected)
        {
            var span = spans[e.Location];
            var match = actual.FirstOrDefault(d =>
                d.Id == e.Id
                && d.Location.GetLineSpan().Path == TestCompilation.HandlersPath
                && d.Location.SourceSpan == span
                && d.GetMessage(CultureInfo.InvariantCulture) == e.Message);
            if (match is null)
            {
                unmatched.Add($"expected {e.Id} at #{e.Location} {Describe(source, span)}: {e.Message}");
            }
            else
            {
                actual.Remove(match);
            }
        }

        foreach (var d in actual)
        {
            var path = d.Location.GetLineSpan().Path;
            var where = path == TestCompilation.HandlersPath ? Describe(source, d.Location.SourceSpan) : $"{d.Location.SourceSpan}";
            unmatched.Add($"unexpected {d.Id} at {where} in '{path}': {d.GetMessage(CultureInfo.InvariantCulture)}");
        }

        Assert.True(unmatched.Count == 0, string.Join(Environment.NewLine, unmatched));
        return outcome;
    }

    private static string Describe(string source, TextSpan span) =>
        span.End <= source.Length ? $"[{span.Start}..{span.End}) '{source.Substring(span.Start, span.Length)}'" : $"[{span.Start}..{span.End})";
}
