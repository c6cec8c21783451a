using System.Globalization;
using System.Text.RegularExpressions;
using Athomic.Scheduler.Benchmarks.Compare;
using Athomic.Scheduler.Tests.Shared;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The generator's cold-compiler row: a generated project with N handlers (default 1,000), each with its own 3-member
/// <c>[MessagePackObject]</c> payload record, built once with <c>dotnet build -p:UseSharedCompilation=false
/// -p:ReportAnalyzer=true -bl</c>; the binlog, replayed to text, gives the generator's time and csc's exact command line.
/// Each round then runs that command line again in a fresh <c>csc</c> process (no compiler server, nothing warm) under
/// <c>/usr/bin/time</c>: the generator's time from csc's ReportAnalyzer table (wall clock) and csc's CPU time (user +
/// system, robust to the load of other processes). Best and median of the rounds.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/Athomic.Scheduler.Benchmarks -- --generator [--handlers N] [--rounds N] [--against REF]</c>.
/// It measures the generator of the checkout it runs from (the project references generators/ as an analyzer); with
/// <c>--against</c> it also builds the generator of REF in a temporary git worktree and alternates the two in every
/// round (only csc's <c>/analyzer:</c> path differs), so both sides see the same load. The project, binlog and its text
/// replay stay in <c>artifacts/generator-bench/</c> (ignored by git).
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

        // One build through MSBuild: the binlog shows the row as the issue measures it, and gives csc's command line.
        var binlog = Path.Combine(work, "build.binlog");
        var build = await DotnetAsync(work,
        [
            "build", project, "-c", "Release", "-nologo", "-v:q", "--no-restore", "--no-dependencies", "--no-incremental",
            "-p:UseSharedCompilation=false", "-p:ReportAnalyzer=true", "-bl:" + binlog,
        ]);
        var log = Path.ChangeExtension(binlog, ".log");
        var replay = build.ExitCode == 0 ? await DotnetAsync(work, ["msbuild", binlog, "-noconlog", "-flp:verbosity=diagnostic;performancesummary;logfile=" + log]) : build;
        if (replay.ExitCode != 0)
        {
            Console.Error.WriteLine(replay.Tail(40));
            return 1;
        }

        var text = await File.ReadAllTextAsync(log);
        Console.WriteLine($"  dotnet build -p:ReportAnalyzer=true: generator {GeneratorSeconds(text):F3} s, Csc task {CscSeconds(text):F3} s   [{binlog}]");
        var (csc, arguments) = CscCommandLine(text);
        var ours = arguments.SingleOrDefault(a => a.StartsWith("/analyzer:", StringComparison.Ordinal) && a.EndsWith("Athomic.Scheduler.Generators.dll", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("csc's command line has no /analyzer: of Athomic.Scheduler.Generators.dll");

        var git = new Git(root);
        string? worktree = null;
        try
        {
            var sides = new List<(string Name, string Rsp)> { ("this checkout", WriteRsp(work, "this", arguments)) };
            if (against is not null)
            {
                var commit = await git.ResolveAsync(against, CancellationToken.None);
                worktree = Path.Combine(Path.GetTempPath(), "athomic-generator-bench-" + commit[..10]);
                if (!Directory.Exists(worktree))
                {
                    await git.AddWorktreeAsync(worktree, commit, CancellationToken.None);
                }

                var theirs = await BuildGeneratorAsync(worktree);
                sides.Add((against, WriteRsp(work, "against", arguments.Select(a => a == ours ? "/analyzer:" + theirs : a))));
                Console.WriteLine($"  against {await git.DescribeAsync(commit, CancellationToken.None)}");
            }

            var results = sides.ToDictionary(s => s.Name, _ => new List<(double Generator, double Cpu)>());
            for (var round = 1; round <= rounds; round++)
            {
                // Alternate which side goes first, so neither always meets the same moment of the machine's load.
                foreach (var (name, rsp) in round % 2 == 1 ? sides : Enumerable.Reverse(sides))
                {
                    var run = await ChildProcess.RunAsync("/usr/bin/time", ["-f", "cpu %U %S", csc, "@" + rsp], work, CancellationToken.None);
                    var cpu = CpuLine().Match(string.Join('\n', run.Output));
                    if (run.ExitCode != 0 || !cpu.Success)
                    {
                        Console.Error.WriteLine(run.Tail(40));
                        return 1;
                    }

                    var result = (Generator: GeneratorSeconds(string.Join('\n', run.StdOut)),
                        Cpu: double.Parse(cpu.Groups[1].Value, CultureInfo.InvariantCulture) + double.Parse(cpu.Groups[2].Value, CultureInfo.InvariantCulture));
                    results[name].Add(result);
                    Console.WriteLine($"  round {round}, {name}: generator {result.Generator:F3} s (ReportAnalyzer), csc CPU {result.Cpu:F2} s, wall {run.Elapsed.TotalSeconds:F1} s");
                }
            }

            foreach (var (name, _) in sides)
            {
                var best = results[name].Min(r => r.Generator);
                var cpu = results[name].Min(r => r.Cpu);
                var median = Median(results[name].Select(r => r.Generator));
                Console.WriteLine($"generator, {handlers:N0} handlers, cold csc, {name}: {best:F2} s best of {rounds}, median {median:F2} s (ReportAnalyzer); csc CPU {cpu:F2} s best of {rounds}");
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

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>csc's path and arguments from the replayed binlog (the Csc task logs the command line it ran).</summary>
    private static (string Csc, List<string> Arguments) CscCommandLine(string log)
    {
        var match = CscCommand().Match(log);
        if (!match.Success)
        {
            throw new InvalidOperationException("no csc command line in the replayed binlog");
        }

        // The SDK's paths have no spaces; a quoted argument keeps its quotes for the response file.
        return (match.Groups[1].Value, ArgumentPattern().Matches(match.Groups[2].Value).Select(m => m.Value).ToList());
    }

    private static string WriteRsp(string work, string side, IEnumerable<string> arguments)
    {
        var rsp = Path.Combine(work, side + ".rsp");
        File.WriteAllLines(rsp, arguments);
        return rsp;
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
                <ProjectReference Include="{Path.Combine(root, "generators", "Athomic.Scheduler.Generators", "Athomic.Scheduler.Generators.csproj")}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
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

    // "cpu 12.34 0.56" from /usr/bin/time -f "cpu %U %S".
    [GeneratedRegex(@"^cpu (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$", RegexOptions.Multiline)]
    private static partial Regex CpuLine();

    // The Csc task's command line: "<sdk>/Roslyn/bincore/csc /noconfig ... (TaskId:87)".
    [GeneratedRegex(@"^\s*(/\S+/Roslyn/bincore/csc) (/noconfig .*?)(?: \(TaskId:\d+\))?$", RegexOptions.Multiline)]
    private static partial Regex CscCommand();

    // One argument of a command line: a run of non-spaces, or a quoted string with what follows it.
    [GeneratedRegex(@"(?:""[^""]*""|\S)+")]
    private static partial Regex ArgumentPattern();

    // "       1234 ms  Csc                                        1 calls" in the task performance summary.
    [GeneratedRegex(@"^\s*(\d+) ms\s+Csc\s+\d+ calls", RegexOptions.Multiline)]
    private static partial Regex CscLine();
}
