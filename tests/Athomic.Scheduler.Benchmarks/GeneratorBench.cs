using System.Globalization;
using System.Text.RegularExpressions;
using Athomic.Scheduler.Benchmarks.Compare;
using Athomic.Scheduler.Tests.Shared;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The generator's cold-compiler row: a generated project with N handlers (default 1,000), each with its own 3-member
/// <c>[MessagePackObject]</c> payload record, compiled by a fresh <c>csc</c> process (no compiler server) with
/// <c>-p:ReportAnalyzer=true</c> and a binlog; the generator's time is read from the replayed binlog. Best of the rounds.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/Athomic.Scheduler.Benchmarks -- --generator [--handlers N] [--rounds N] [--against REF]</c>.
/// It measures the generator of the checkout it runs from (the project references generators/ as an analyzer); with
/// <c>--against</c> it also builds the generator of REF in a temporary git worktree and alternates the two in every
/// round, so both sides see the same load (this machine's noise is larger than most changes). The project, binlogs and
/// their text replays stay in <c>artifacts/generator-bench/</c> (ignored by git).
/// </remarks>
internal static partial class GeneratorBench
{
    private const int HandlersPerFile = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var handlers = Option(args, "--handlers", 1000);
        var rounds = Option(args, "--rounds", 3);
        var against = Array.IndexOf(args, "--against") is var a and >= 0 && a + 1 < args.Length ? args[a + 1] : null;
        var root = RepositoryRoot();
        var work = Path.Combine(root, "artifacts", "generator-bench");
        Directory.CreateDirectory(work);
        var project = WriteProject(root, work, handlers);
        Console.WriteLine($"generator bench: {handlers:N0} handlers, each with its own 3-member payload record, in {work}");

        // Restores and builds the library and the generator once; the rounds compile only the generated project.
        var first = await DotnetAsync(work, ["build", project, "-c", "Release", "-nologo", "-v:q"]);
        if (first.ExitCode != 0)
        {
            Console.Error.WriteLine(first.Tail(40));
            return 1;
        }

        var git = new Git(root);
        string? worktree = null;
        try
        {
            var sides = new List<(string Name, string? Analyzer)> { ("this checkout", null) };
            if (against is not null)
            {
                var commit = await git.ResolveAsync(against, CancellationToken.None);
                worktree = Path.Combine(Path.GetTempPath(), "athomic-generator-bench-" + commit[..10]);
                await git.AddWorktreeAsync(worktree, commit, CancellationToken.None);
                sides.Add((against, await BuildGeneratorAsync(worktree)));
                Console.WriteLine($"  against {await git.DescribeAsync(commit, CancellationToken.None)}");
            }

            var results = sides.ToDictionary(s => s.Name, _ => new List<(double Generator, double Csc)>());
            for (var round = 1; round <= rounds; round++)
            {
                // Alternate which side goes first, so neither always meets the same moment of the machine's load.
                foreach (var (name, analyzer) in round % 2 == 1 ? sides : Enumerable.Reverse(sides))
                {
                    var result = await RoundAsync(work, project, round, name == sides[0].Name ? "this" : "against", analyzer);
                    if (result is null)
                    {
                        return 1;
                    }

                    results[name].Add(result.Value);
                    Console.WriteLine($"  round {round}, {name}: generator {result.Value.Generator:F3} s (ReportAnalyzer), Csc task {result.Value.Csc:F3} s");
                }
            }

            foreach (var (name, _) in sides)
            {
                var best = results[name].MinBy(r => r.Generator);
                Console.WriteLine($"generator, {handlers:N0} handlers, cold csc, {name}: {best.Generator:F2} s best of {rounds} (Csc task {best.Csc:F2} s in that round)");
            }

            return 0;
        }
        finally
        {
            if (worktree is not null && await git.RemoveWorktreeAsync(worktree) is { } note)
            {
                Console.Error.WriteLine(note);
            }
        }
    }

    private static async Task<(double Generator, double Csc)?> RoundAsync(string work, string project, int round, string side, string? analyzer)
    {
        var binlog = Path.Combine(work, $"round{round}-{side}.binlog");
        string[] arguments =
        [
            "build", project, "-c", "Release", "-nologo", "-v:q", "--no-restore", "--no-dependencies", "--no-incremental",
            "-p:UseSharedCompilation=false", "-p:ReportAnalyzer=true", "-bl:" + binlog,
        ];
        var build = await DotnetAsync(work, analyzer is null ? arguments : [.. arguments, "-p:GeneratorBenchAnalyzer=" + analyzer]);
        if (build.ExitCode != 0)
        {
            Console.Error.WriteLine(build.Tail(40));
            return null;
        }

        // The binlog replayed as text: csc's ReportAnalyzer tables and the Csc task's time are in it.
        var log = Path.ChangeExtension(binlog, ".log");
        var replay = await DotnetAsync(work, ["msbuild", binlog, "-noconlog", "-flp:verbosity=diagnostic;performancesummary;logfile=" + log]);
        if (replay.ExitCode != 0)
        {
            Console.Error.WriteLine(replay.Tail(40));
            return null;
        }

        var text = await File.ReadAllTextAsync(log);
        return (GeneratorSeconds(text), CscSeconds(text));
    }

    /// <summary>Builds the generator of another checkout in Release; returns its dll.</summary>
    private static async Task<string> BuildGeneratorAsync(string checkout)
    {
        var folder = Path.Combine(checkout, "generators", "Athomic.Scheduler.Generators");
        var build = await DotnetAsync(checkout, ["build", Path.Combine(folder, "Athomic.Scheduler.Generators.csproj"), "-c", "Release", "-nologo", "-v:q", "--disable-build-servers"]);
        var dll = Path.Combine(folder, "bin", "Release", "netstandard2.0", "Athomic.Scheduler.Generators.dll");
        return build.ExitCode == 0 && File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"the generator of {checkout} did not build:{Environment.NewLine}{build.Tail(30)}");
    }

    /// <summary>The generator's seconds in csc's "Total generator execution time" table.</summary>
    private static double GeneratorSeconds(string log)
    {
        var match = GeneratorLine().Match(log);
        return match.Success
            ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException("no ReportAnalyzer line for the ScheduledHandlerGenerator in the replayed binlog");
    }

    /// <summary>The Csc task's total time in the performance summary of the replayed binlog (0 when absent).</summary>
    private static double CscSeconds(string log)
    {
        var match = CscLine().Match(log);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 1000 : 0;
    }

    private static string WriteProject(string root, string work, int handlers)
    {
        var src = Path.Combine(work, "src");
        if (Directory.Exists(src))
        {
            Directory.Delete(src, recursive: true);
        }

        Directory.CreateDirectory(src);
        var project = Path.Combine(work, "GeneratorBench.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <AssemblyName>GeneratorBench</AssemblyName>
                <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
              </PropertyGroup>
              <ItemGroup>
                <Compile Include="src/*.cs" />
                <ProjectReference Include="{Path.Combine(root, "src", "Athomic.Scheduler", "Athomic.Scheduler.csproj")}" />
                <ProjectReference Include="{Path.Combine(root, "generators", "Athomic.Scheduler.Generators", "Athomic.Scheduler.Generators.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" Condition="'$(GeneratorBenchAnalyzer)' == ''" />
                <Analyzer Include="$(GeneratorBenchAnalyzer)" Condition="'$(GeneratorBenchAnalyzer)' != ''" />
              </ItemGroup>
            </Project>
            """);
        for (var file = 0; file * HandlersPerFile < handlers; file++)
        {
            File.WriteAllText(Path.Combine(src, $"Handlers{file}.cs"), GeneratorWorkload.HandlerFile(file, Math.Min(HandlersPerFile, handlers - (file * HandlersPerFile))));
        }

        return project;
    }

    private static Task<ChildResult> DotnetAsync(string work, string[] arguments) =>
        ChildProcess.RunAsync("dotnet", arguments, work, CancellationToken.None, new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Athomic.Scheduler.Typed.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run it from inside the repository (no Athomic.Scheduler.Typed.sln above " + Environment.CurrentDirectory + ")");
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    // "   1.234   95      Athomic.Scheduler.Generators.ScheduledHandlerGenerator" in csc's "Total generator execution time" table.
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s+(?:\d+|<1)\s+Athomic\.Scheduler\.Generators\.ScheduledHandlerGenerator", RegexOptions.Multiline)]
    private static partial Regex GeneratorLine();

    // "       1234 ms  Csc                                        1 calls" in the task performance summary.
    [GeneratedRegex(@"^\s*(\d+) ms\s+Csc\s+\d+ calls", RegexOptions.Multiline)]
    private static partial Regex CscLine();
}
