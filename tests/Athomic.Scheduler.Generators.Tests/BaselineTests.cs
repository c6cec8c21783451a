using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Generated output for representative inputs, against the files under <c>Baselines/</c>.</summary>
public sealed class BaselineTests
{
    public static TheoryData<string> Cases() => new(Baselines.Cases());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_sources_match_the_baseline(string @case)
    {
        var outcome = GeneratorHarness.Run(TestCompilation.Create(Baselines.Read(@case, Baselines.InputFile)));
        Assert.Empty(outcome.AllDiagnostics);
        var sources = outcome.Sources.ToDictionary(s => s.Key, s => Baselines.Normalize(s.Value), StringComparer.Ordinal);
        if (Baselines.Updating)
        {
            Baselines.Write(@case, sources);
        }

        Assert.Equal(Baselines.ExpectedFiles(@case), sources.Keys.OrderBy(k => k, StringComparer.Ordinal));
        foreach (var (name, text) in sources)
        {
            Assert.Equal(Baselines.Read(@case, name), text);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generated_sources_compile_without_warnings_with_doc_comments_checked(string @case)
    {
        var options = TestCompilation.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        var compilation = TestCompilation.Create(Baselines.Read(@case, Baselines.InputFile), parseOptions: options)
            .WithOptions(TestCompilation.Create("").Options.WithGeneralDiagnosticOption(ReportDiagnostic.Error));
        var outcome = GeneratorHarness.Run(compilation);

        // Doc comment warnings (CS15xx) are judged only in generated trees: the inputs do not document every public member.
        var generated = outcome.Output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true)
            .Select(d => d.ToString());
        Assert.Empty(generated);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.DoesNotContain(outcome.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("CS15", StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_does_not_depend_on_the_documentation_mode()
    {
        var input = Baselines.Read("InstanceHandlers", Baselines.InputFile);
        var outputs = new[] { DocumentationMode.None, DocumentationMode.Parse, DocumentationMode.Diagnose }
            .Select(mode => GeneratorHarness.Run(TestCompilation.Create(input, parseOptions: TestCompilation.ParseOptions.WithDocumentationMode(mode))))
            .Select(o => o.Sources[Emitter.ScheduleExtensionsHintName])
            .ToList();
        Assert.All(outputs, o => Assert.Equal(outputs[0], o));
        Assert.Contains("/// <para>Runs once per user.</para>", outputs[0], StringComparison.Ordinal);
    }
}
