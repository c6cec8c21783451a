using System.Diagnostics;
using System.Globalization;
using System.Text;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// Reports (never asserts) how long the generator takes over 1,000 handlers. Read the numbers with
/// <c>dotnet test --filter PerformanceReport --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class PerformanceReport(ITestOutputHelper output)
{
    private const int Files = 50;
    private const int HandlersPerFile = 20;

    [Fact]
    public void Generator_over_1000_handlers()
    {
        var trees = Enumerable.Range(0, Files)
            .Select(f => CSharpSyntaxTree.ParseText(HandlerFile(f), TestCompilation.ParseOptions, $"Handlers{f}.cs"))
            .Append(CSharpSyntaxTree.ParseText("namespace Perf; public static class Other { public static int V => 1; }", TestCompilation.ParseOptions, "Other.cs"))
            .ToList();
        CSharpCompilation Fresh() => CSharpCompilation.Create(
            "Perf", trees, TestCompilation.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var first = Measure(Fresh(), CreateDriver());
        var full = Enumerable.Range(0, 5).Select(_ => Measure(Fresh(), CreateDriver())).ToList();
        var baseline = Enumerable.Range(0, 5).Select(_ => Measure(Fresh(), BaselineDriver())).ToList();

        // An edit in the IDE derives the next compilation from the previous one.
        var current = Fresh();
        var driver = CreateDriver().RunGenerators(current);
        var incremental = new List<(TimeSpan Wall, TimeSpan Generator)>();
        for (var i = 2; i < 7; i++)
        {
            var other = current.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
            current = current.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText($"namespace Perf; public static class Other {{ public static int V => {i}; }}", TestCompilation.ParseOptions, "Other.cs"));
            var watch = Stopwatch.StartNew();
            driver = driver.RunGenerators(current);
            incremental.Add((watch.Elapsed, driver.GetTimingInfo().ElapsedTime));
        }

        var sources = driver.GetRunResult().Results.Single().GeneratedSources;
        var registry = sources.Single(s => s.HintName == Emitter.RegistryHintName).SourceText.ToString();
        Assert.Equal(Files * HandlersPerFile, CountOf(registry, "new global::Athomic.Scheduler.Execution.ScheduledHandlerDescriptor("));
        Assert.Empty(driver.GetRunResult().Diagnostics);

        output.WriteLine($"1,000 handlers in {Files} files: first run (includes JIT) wall {Ms(first.Wall)}, generator {Ms(first.Generator)}");
        output.WriteLine($"full run on a fresh compilation, median of 5: wall {Ms(Median(full.Select(r => r.Wall)))}, generator {Ms(Median(full.Select(r => r.Generator)))}");
        output.WriteLine($"baseline: a generator that only finds the same attributes (ForAttributeWithMetadataName, no work), median of 5: wall {Ms(Median(baseline.Select(r => r.Wall)))}");
        output.WriteLine($"incremental run after an unrelated edit, median of 5: wall {Ms(Median(incremental.Select(r => r.Wall)))}, generator {Ms(Median(incremental.Select(r => r.Generator)))}");
        output.WriteLine($"generated: {sources.Sum(s => s.SourceText.Length) / 1024} KiB in {sources.Length} files");
    }

    private static (TimeSpan Wall, TimeSpan Generator) Measure(Compilation compilation, GeneratorDriver driver)
    {
        var watch = Stopwatch.StartNew();
        driver = driver.RunGenerators(compilation);
        return (watch.Elapsed, driver.GetTimingInfo().ElapsedTime);
    }

    private static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create([new ScheduledHandlerGenerator().AsSourceGenerator()], parseOptions: TestCompilation.ParseOptions);

    private static GeneratorDriver BaselineDriver() =>
        CSharpGeneratorDriver.Create([new FindOnlyGenerator().AsSourceGenerator()], parseOptions: TestCompilation.ParseOptions);

    private static string HandlerFile(int file)
    {
        var source = new StringBuilder();
        source.AppendLine(CultureInfo.InvariantCulture, $"""
            using System;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using Athomic.Scheduler;
            using Athomic.Scheduler.Execution;
            using MessagePack;

            namespace Perf.Area{file};

            [MessagePackObject]
            public sealed record Payload{file}([property: Key(0)] Guid Id, [property: Key(1)] List<string> Tags, [property: Key(2)] Dictionary<string, decimal> Amounts);

            public sealed class Handlers{file}
            """);
        source.AppendLine("{");
        for (var h = 0; h < HandlersPerFile; h++)
        {
            var name = $"Handle{file}x{h}";
            source.AppendLine(h % 2 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"    /// <summary>Handles <see cref=\"Payload{file}\"/> number {h}.</summary>\n    [ScheduledHandler(\"perf.{file}.{h}\")] public Task {name}(Payload{file} payload, CancellationToken ct) => Task.CompletedTask;")
                : string.Create(CultureInfo.InvariantCulture, $"    [ScheduledHandler] public static ValueTask {name}(TaskContext context, int[] values) => default;"));
        }

        source.AppendLine("}");
        return source.ToString();
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>The cost floor: finds the same attributed methods and does nothing with them.</summary>
internal sealed class FindOnlyGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName(
            ScheduledHandlerGenerator.AttributeMetadataName, static (_, _) => true, static (ctx, _) => ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(names.Collect(), static (_, _) => { });
    }
}
