using System.Diagnostics;
using System.Globalization;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Shared;
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
            .Select(f => CSharpSyntaxTree.ParseText(GeneratorWorkload.SharedPayloadFile(f, HandlersPerFile), TestCompilation.ParseOptions, $"Handlers{f}.cs"))
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

    /// <summary>
    /// The shape (1,000 handlers, each with its own 3-member payload record): where the generator's time goes,
    /// per tracked pipeline step (summed over its runs) and in the source outputs (emission and the parse of what is
    /// emitted: the run's time minus the steps'), median of 5 fresh runs.
    /// </summary>
    [Fact]
    public void Generator_steps_over_1000_handlers_with_their_own_payloads()
    {
        var trees = Enumerable.Range(0, Files)
            .Select(f => CSharpSyntaxTree.ParseText(GeneratorWorkload.HandlerFile(f, HandlersPerFile), TestCompilation.ParseOptions, $"Handlers{f}.cs"))
            .ToList();
        CSharpCompilation Fresh() => CSharpCompilation.Create(
            "Perf", trees, TestCompilation.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver Tracked() => CSharpGeneratorDriver.Create(
            [new ScheduledHandlerGenerator().AsSourceGenerator()], parseOptions: TestCompilation.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        _ = Tracked().RunGenerators(Fresh()); // JIT
        var runs = new List<(TimeSpan Total, TimeSpan Cpu, Dictionary<string, TimeSpan> Steps, int Chars)>();
        for (var i = 0; i < 5; i++)
        {
            var compilation = Fresh();
            var cpu = ThreadCpu();
            var driver = Tracked().RunGenerators(compilation);
            cpu = ThreadCpu() - cpu;
            var result = driver.GetRunResult().Results.Single();
            Assert.Empty(driver.GetRunResult().Diagnostics);
            var steps = result.TrackedSteps.ToDictionary(p => p.Key, p => p.Value.Aggregate(TimeSpan.Zero, (sum, step) => sum + step.ElapsedTime));
            runs.Add((driver.GetTimingInfo().ElapsedTime, cpu, steps, result.GeneratedSources.Sum(s => s.SourceText.Length)));
        }

        var total = Median(runs.Select(r => r.Total));
        output.WriteLine($"1,000 handlers with their own payloads in {Files} files, median of 5 fresh runs (steps tracked): generator {Ms(total)}, CPU of the running thread {Ms(Median(runs.Select(r => r.Cpu)))} (robust to the machine's load; 10 ms ticks)");
        var names = runs[0].Steps.Keys.OrderByDescending(k => Median(runs.Select(r => r.Steps.GetValueOrDefault(k)))).ToList();
        foreach (var name in names)
        {
            output.WriteLine($"  step {name,-40} {Ms(Median(runs.Select(r => r.Steps.GetValueOrDefault(name))))}");
        }

        output.WriteLine($"  outputs (emission, parsing the emitted text) and the syntax walks: {Ms(Median(runs.Select(r => r.Total - r.Steps.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b))))}");
        output.WriteLine($"  generated: {runs[0].Chars / 1024} KiB");
    }

    /// <summary>
    /// This generator against another build of it (<c>ATHOMIC_GENERATOR_BASELINE</c> = the path of its
    /// Athomic.Scheduler.Generators.dll, loaded in its own load context), alternating fresh full runs over the issue's
    /// workload in one process, so both meet the same load: medians of wall and thread CPU time. Skipped (reports
    /// nothing) without the variable.
    /// </summary>
    [Fact]
    public void Generator_against_a_baseline_build_over_1000_handlers_with_their_own_payloads()
    {
        if (Environment.GetEnvironmentVariable("ATHOMIC_GENERATOR_BASELINE") is not { Length: > 0 } path)
        {
            output.WriteLine("set ATHOMIC_GENERATOR_BASELINE to another build's Athomic.Scheduler.Generators.dll to compare");
            return;
        }

        var context = new System.Runtime.Loader.AssemblyLoadContext("generator-baseline");
        var other = (IIncrementalGenerator)Activator.CreateInstance(
            context.LoadFromAssemblyPath(Path.GetFullPath(path)).GetType(typeof(ScheduledHandlerGenerator).FullName!, throwOnError: true)!)!;
        var trees = Enumerable.Range(0, Files)
            .Select(f => CSharpSyntaxTree.ParseText(GeneratorWorkload.HandlerFile(f, HandlersPerFile), TestCompilation.ParseOptions, $"Handlers{f}.cs"))
            .ToList();
        CSharpCompilation Fresh() => CSharpCompilation.Create(
            "Perf", trees, TestCompilation.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var sides = new (string Name, IIncrementalGenerator Generator)[] { ("this build", new ScheduledHandlerGenerator()), ("baseline", other) };
        var runs = sides.ToDictionary(s => s.Name, _ => new List<(TimeSpan Wall, TimeSpan Cpu, long Bytes)>());
        for (var round = 0; round < 8; round++)
        {
            foreach (var (name, generator) in round % 2 == 0 ? sides : sides.Reverse())
            {
                var compilation = Fresh();
                var cpu = ThreadCpu();
                var bytes = GC.GetAllocatedBytesForCurrentThread();
                var driver = CSharpGeneratorDriver.Create([generator.AsSourceGenerator()], parseOptions: TestCompilation.ParseOptions).RunGenerators(compilation);
                bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
                cpu = ThreadCpu() - cpu;
                Assert.Empty(driver.GetRunResult().Diagnostics);
                if (round > 0)
                {
                    runs[name].Add((driver.GetTimingInfo().ElapsedTime, cpu, bytes)); // round 0 warms up (JIT)
                }
            }
        }

        foreach (var (name, _) in sides)
        {
            output.WriteLine($"{name}: generator wall {Ms(Median(runs[name].Select(r => r.Wall)))}, thread CPU {Ms(Median(runs[name].Select(r => r.Cpu)))}, allocated {runs[name].Min(r => r.Bytes) / (1024.0 * 1024):F1} MiB (the compiler's binding included) (median of 7, alternating)");
        }
    }

    /// <summary>The CPU time (user + system) of the calling thread, from /proc (zero where there is none); the driver runs generators on it.</summary>
    private static TimeSpan ThreadCpu()
    {
        const string stat = "/proc/thread-self/stat";
        if (!File.Exists(stat))
        {
            return TimeSpan.Zero;
        }

        var text = File.ReadAllText(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10); // USER_HZ is 100 on Linux
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
