using Athomic.Scheduler.Generators.Model;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>The pipeline caches what it should: tracked steps over successive runs of one driver.</summary>
public sealed class IncrementalTests
{
    private const string HandlersPath = "Handlers.cs";
    private const string OtherPath = "Other.cs";

    private const string Handlers = """
        using System.Threading.Tasks;
        using Athomic.Scheduler;
        using MessagePack;

        namespace App;

        [MessagePackObject]
        public sealed record Order([property: Key(0)] int Id);

        public static class Jobs
        {
            [ScheduledHandler] public static void Ship(Order order) { }

            [ScheduledHandler("jobs.bill")]
            public static Task Bill(int amount) => Task.CompletedTask;
        }
        """;

    private const string Other = """
        namespace App;

        public static class Unrelated
        {
            public static int Value => 1;
        }
        """;

    /// <summary>Roslyn's own tracked step that finds attributed nodes in one file, from syntax only.</summary>
    private const string SyntacticDiscoveryStep = "result_ForAttributeInternal";

    private static readonly IncrementalStepRunReason[] CachedOrUnchanged = [IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged];

    /// <remarks>
    /// Roslyn finds the attributed methods syntactically, per file: for an untouched file that search is cached. The
    /// semantic transform (<see cref="TrackingNames.Parse"/>) does re-run on every new compilation, by design of
    /// <c>ForAttributeWithMetadataName</c> and necessarily (see the next test); it yields an equal model, so every
    /// later step and output is cached: nothing is collected, planned or emitted again.
    /// </remarks>
    [Fact]
    public void Unrelated_edit_finds_no_handler_again_and_leaves_every_later_step_and_output_cached()
    {
        var (first, compilation) = Start();
        var second = GeneratorHarness.Run(Edit(compilation, OtherPath, Other.Replace("=> 1", "=> 2", StringComparison.Ordinal)), first.Driver);

        Assert.All(Reasons(second, SyntacticDiscoveryStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Equal([IncrementalStepRunReason.Unchanged, IncrementalStepRunReason.Unchanged], Reasons(second, TrackingNames.Parse));
        foreach (var step in new[] { TrackingNames.Handlers, TrackingNames.Collected, TrackingNames.HandlerDiagnostics, TrackingNames.ConflictDiagnostics, TrackingNames.Generation })
        {
            Assert.All(Reasons(second, step), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }

        Assert.All(OutputReasons(second), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void Edit_in_another_file_that_breaks_the_payload_type_is_seen_which_is_why_parsing_reruns()
    {
        var handlers = Handlers.Replace("[MessagePackObject]\npublic sealed record Order([property: Key(0)] int Id);\n", string.Empty, StringComparison.Ordinal);
        var other = "using MessagePack;\n\nnamespace App;\n\n[MessagePackObject]\npublic sealed record Order([property: Key(0)] int Id);\n";
        var compilation = TestCompilation.Create([(HandlersPath, handlers), (OtherPath, other)]);
        var first = GeneratorHarness.Run(compilation);
        Assert.Empty(first.AllDiagnostics);

        var second = GeneratorHarness.Run(Edit(compilation, OtherPath, other.Replace("[MessagePackObject]\n", string.Empty, StringComparison.Ordinal)), first.Driver);

        Assert.Equal(["ATS012"], second.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Parse));
    }

    [Fact]
    public void Edit_inside_a_handler_body_reparses_that_file_to_an_unchanged_model()
    {
        var (first, compilation) = Start();
        var edited = Handlers.Replace("=> Task.CompletedTask;", "=> Task.Delay(amount);", StringComparison.Ordinal);
        var second = GeneratorHarness.Run(Edit(compilation, HandlersPath, edited), first.Driver);

        Assert.All(Reasons(second, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Unchanged, r));
        Assert.All(Reasons(second, TrackingNames.Generation), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(OutputReasons(second), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Moving_handlers_down_changes_only_their_locations_and_emits_nothing_new()
    {
        var (first, compilation) = Start();
        var second = GeneratorHarness.Run(Edit(compilation, HandlersPath, "// a new first line\n" + Handlers), first.Driver);

        Assert.All(Reasons(second, TrackingNames.Parse), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(second, TrackingNames.Generation));
        Assert.All(OutputReasons(second), r => Assert.Contains(r, CachedOrUnchanged));
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void Payload_change_gives_modified()
    {
        var (first, compilation) = Start();
        var edited = Handlers.Replace("Ship(Order order)", "Ship(string order)", StringComparison.Ordinal);
        var second = GeneratorHarness.Run(Edit(compilation, HandlersPath, edited), first.Driver);

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(second, TrackingNames.Parse));
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(second, TrackingNames.Generation));
        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(second));
        Assert.Contains("ScheduleShipAsync(this global::Athomic.Scheduler.IScheduler scheduler, string payload", second.Sources[Emitter.ScheduleExtensionsHintName], StringComparison.Ordinal);
    }

    [Fact]
    public void New_handler_gives_new()
    {
        var (first, compilation) = Start();
        var edited = Handlers.Replace("public static class Jobs\n{", "public static class Jobs\n{\n    [ScheduledHandler] public static void Refund(int amount) { }\n", StringComparison.Ordinal);
        var second = GeneratorHarness.Run(Edit(compilation, HandlersPath, edited), first.Driver);

        Assert.Contains(IncrementalStepRunReason.New, Reasons(second, TrackingNames.Parse));
        Assert.Equal([IncrementalStepRunReason.Modified], Reasons(second, TrackingNames.Generation));
        Assert.Contains("ScheduleRefundAsync", second.Sources[Emitter.ScheduleExtensionsHintName], StringComparison.Ordinal);
    }

    [Fact]
    public void Cached_models_hold_no_symbols_syntax_locations_or_compilations()
    {
        var source = Handlers + """

            public static class Broken
            {
                [ScheduledHandler] private static void Hidden() { }
                [ScheduledHandler("jobs.bill")] public static void Duplicate() { }
                [ScheduledHandler, Recurring("0 3 * * *", TimeZone = "Europe/Berlin")] public static void Nightly() { }
                [Recurring(Every = "00:01:00")] public static void Orphan() { }
                [ScheduledHandler(MaxConcurrency = 2, Timeout = "00:00:30")] public static void Limited(Keyed keyed) { }
                [ScheduledHandler(MaxConcurrencyPerKey = 1)] public static void PerKey(Keyed keyed) { }
                [ScheduledHandler(RateLimit = 0)] public static void BadRate() { }
                [ScheduledHandler] public static void Draw(IShape shape) { }
            }

            [MessagePackObject]
            public sealed record Keyed([property: Key(0), ConcurrencyKey] string Tenant);

            [Union(0, typeof(Circle))]
            public interface IShape { }

            [MessagePackObject] public sealed class Circle : IShape { }
            public sealed class Square : IShape { }
            """;
        var compilation = TestCompilation.Create(source);
        var outcome = GeneratorHarness.Run(compilation);
        Assert.NotEmpty(outcome.GeneratorDiagnostics);
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "ATS031");
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "ATS032");

        // The one exception: the reported warnings are Diagnostics located in the syntax trees of the compilation
        // they were made for (so that pragmas apply), recomputed with each compilation; they pin nothing older.
        var warnings = outcome.Result.TrackedSteps[TrackingNames.Warnings].SelectMany(s => s.Outputs).Select(o => Assert.IsType<EquatableArrayBox<Diagnostic>>(o.Value).Items).ToList();
        Assert.All(warnings.SelectMany(w => w), d => Assert.Contains(d.Location.SourceTree, compilation.SyntaxTrees));
        Assert.Equal(2, warnings.Sum(w => w.Count));

        var visited = new HashSet<Type>();
        foreach (var name in typeof(TrackingNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).Where(n => n != TrackingNames.Warnings))
        {
            // A step that produced nothing in this run (FormatterDiagnostics here: no payload lacks a formatter) is not recorded.
            var steps = outcome.Result.TrackedSteps.TryGetValue(name, out var recorded) ? recorded : [];
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                var (violations, types) = ModelWalker.Walk(output.Value);
                Assert.True(violations.Count == 0, $"{name}: {string.Join(", ", violations)}");
                visited.UnionWith(types);
            }
        }

        // The walk did reach the model (and so would have seen a symbol in it).
        Assert.Contains(typeof(HandlerSpec), visited);
        Assert.Contains(typeof(DiagnosticInfo), visited);
        Assert.Contains(typeof(LocationInfo), visited);
        Assert.Contains(typeof(GenerationSpec), visited);
        Assert.Contains(typeof(RecurringSpec), visited);
        Assert.Contains(typeof(FlowSpec), visited);
        Assert.Contains(typeof(ConcurrencyKeySpec), visited);
        Assert.Contains(typeof(UnionSubtype), visited);
    }

    [Fact]
    public void Unrelated_edit_leaves_warnings_unchanged_and_reports_them_again()
    {
        var handlers = Handlers + """

            [MessagePackObject]
            public sealed record Keyed([property: Key(0), ConcurrencyKey] string Tenant);

            public static class Keys
            {
                [ScheduledHandler(MaxConcurrency = 2)] public static void Limited(Keyed keyed) { }
            }
            """;
        var compilation = TestCompilation.Create([(HandlersPath, handlers), (OtherPath, Other)]);
        var first = GeneratorHarness.Run(compilation);
        Assert.Equal(["ATS031"], first.GeneratorDiagnostics.Select(d => d.Id));

        var second = GeneratorHarness.Run(Edit(compilation, OtherPath, Other.Replace("=> 1", "=> 2", StringComparison.Ordinal)), first.Driver);

        Assert.Equal([IncrementalStepRunReason.Unchanged], Reasons(second, TrackingNames.Warnings));
        Assert.All(Reasons(second, TrackingNames.UnionSubtypes), r => Assert.Contains(r, CachedOrUnchanged));
        Assert.All(OutputReasons(second), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Equal(["ATS031"], second.GeneratorDiagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Model_walker_finds_a_symbol_hidden_in_a_model()
    {
        var compilation = TestCompilation.Create(Handlers);
        var (violations, _) = ModelWalker.Walk(new EquatableArray<object>([1, "x", (object)compilation.GetTypeByMetadataName("App.Jobs")!]));
        Assert.NotEmpty(violations);
        Assert.All(violations, v => Assert.EndsWith("[2]: Microsoft.CodeAnalysis.CSharp.Symbols.PublicModel.NonErrorNamedTypeSymbol", v, StringComparison.Ordinal));
    }

    private static (GeneratorOutcome Outcome, Compilation Compilation) Start()
    {
        var compilation = TestCompilation.Create([(HandlersPath, Handlers), (OtherPath, Other)]);
        var outcome = GeneratorHarness.Run(compilation);
        Assert.Empty(outcome.AllDiagnostics);
        return (outcome, compilation);
    }

    private static Compilation Edit(Compilation compilation, string path, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, TestCompilation.ParseOptions, path));
    }

    private static List<IncrementalStepRunReason> Reasons(GeneratorOutcome outcome, string step) =>
        outcome.Result.TrackedSteps.TryGetValue(step, out var steps) ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList() : [];

    private static List<IncrementalStepRunReason> OutputReasons(GeneratorOutcome outcome) =>
        outcome.Result.TrackedOutputSteps.SelectMany(kv => kv.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
}
