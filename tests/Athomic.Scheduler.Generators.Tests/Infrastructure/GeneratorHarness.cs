using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>The result of running the generator over a compilation.</summary>
/// <param name="Driver">The driver after the run, to run again incrementally.</param>
/// <param name="Output">The compilation with the generated sources added.</param>
/// <param name="GeneratorDiagnostics">The diagnostics the generator reported.</param>
internal sealed record GeneratorOutcome(GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> GeneratorDiagnostics)
{
    public GeneratorRunResult Result => Driver.GetRunResult().Results.Single();

    /// <summary>The generated sources by hint name.</summary>
    public IReadOnlyDictionary<string, string> Sources =>
        Result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);

    /// <summary>
    /// Errors and warnings of the output compilation, then the generator's diagnostics; without those suppressed in
    /// source (<c>#pragma warning disable</c>), which the driver marks and the compiler leaves out.
    /// </summary>
    public IReadOnlyList<Diagnostic> AllDiagnostics =>
        Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Concat(GeneratorDiagnostics.Where(d => !d.IsSuppressed))
            .ToList();
}

/// <summary>Runs <see cref="ScheduledHandlerGenerator"/> with step tracking on.</summary>
internal static class GeneratorHarness
{
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new ScheduledHandlerGenerator().AsSourceGenerator() },
            parseOptions: parseOptions ?? TestCompilation.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorOutcome Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        var parseOptions = (CSharpParseOptions?)compilation.SyntaxTrees.FirstOrDefault()?.Options;
        var after = (driver ?? CreateDriver(parseOptions)).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorOutcome(after, output, diagnostics);
    }

    public static GeneratorOutcome Run(string source) => Run(TestCompilation.Create(source));
}
