using System.Runtime.InteropServices;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// <c>--compare &lt;ref&gt;</c>: builds the benchmark of a ref in a temporary git worktree and of this working tree, runs the
/// two alternately (base head | head base | base head ..., so drift of the machine hits both alike), each run a fresh
/// process with its own redis-server, and prints per row both means and the change. The worktree is removed at the end,
/// also after a failure or Ctrl+C.
/// </summary>
internal static class CompareBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // The first Ctrl+C stops the comparison and cleans up; a second one ends the process at once.
            if (!cancel.IsCancellationRequested)
            {
                context.Cancel = true;
                Console.Error.WriteLine("compare: stopping (the temporary worktree is being removed)...");
                cancel.Cancel();
            }
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            await CompareAsync(CompareOptions.Parse(args), cancel.Token);
            return 0;
        }
        catch (CompareException ex)
        {
            Console.Error.WriteLine("compare: " + ex.Message);
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("compare: cancelled.");
            return 130;
        }
    }

    private static async Task CompareAsync(CompareOptions options, CancellationToken cancellation)
    {
        var git = await Git.OfThisBuildAsync(cancellation);
        var commit = await git.ResolveAsync(options.Reference, cancellation);
        var baseRowsTsv = await CheckBaseAsync(git, options, commit, cancellation);
        var baseDescription = $"{options.Reference} = {await git.DescribeAsync(commit, cancellation)}";
        var headDescription = $"working tree {git.Root} {await git.DescribeWorkingTreeAsync(cancellation)}";
        Console.WriteLine($"Comparing two builds of {Git.BenchmarkFolder}: {options.Warmup} warm-up and {options.Rounds} counted rounds of '{options.ModeLabel}',");
        Console.WriteLine("each run a fresh process with its own redis-server; the order alternates (base head | head base | base head ...).");
        Console.WriteLine($"  base: {baseDescription}{(baseRowsTsv ? string.Empty : " (no --rows-tsv there: its e2e line is read)")}");
        Console.WriteLine($"  head: {headDescription}");

        // One scratch folder for all this comparison leaves: the base's worktree and the runs' TMPDIR (a run that is killed
        // cannot delete its redis-server's data folder itself).
        var scratch = Path.Combine(Path.GetTempPath(), $"athomic-compare-{commit[..10]}-{Environment.ProcessId}");
        var worktree = Path.Combine(scratch, "base");
        var runTemp = Directory.CreateDirectory(Path.Combine(scratch, "tmp")).FullName;
        try
        {
            await git.AddWorktreeAsync(worktree, commit, cancellation);
            Console.WriteLine($"Building (Release): base in {worktree}, then head.");
            var baseSide = new BenchSide("base", baseDescription, await Build.BenchmarkAsync(worktree, "base", cancellation), baseRowsTsv, runTemp);
            var headSide = new BenchSide("head", headDescription, await Build.BenchmarkAsync(git.Root, "head", cancellation), rowsTsv: true, runTemp);
            for (var warmup = 1; warmup <= options.Warmup; warmup++)
            {
                await RunAsync(options, $"warm-up {warmup}/{options.Warmup}", [baseSide, headSide], counts: false, cancellation);
            }

            for (var round = 1; round <= options.Rounds; round++)
            {
                await RunAsync(options, $"round {round}/{options.Rounds}", round % 2 == 1 ? [baseSide, headSide] : [headSide, baseSide], counts: true, cancellation);
            }

            Console.WriteLine();
            Console.WriteLine($"base = {baseSide.Description}");
            Console.WriteLine($"head = {headSide.Description}");
            CompareTable.Print(baseSide, headSide);
        }
        finally
        {
            if (Directory.Exists(worktree) && await git.RemoveWorktreeAsync(worktree) is { } note)
            {
                Console.Error.WriteLine("compare: " + note);
            }

            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"compare: could not delete {scratch}: {ex.Message}");
            }
        }
    }

    private static async Task RunAsync(CompareOptions options, string label, BenchSide[] order, bool counts, CancellationToken cancellation)
    {
        foreach (var side in order)
        {
            var (rows, elapsed) = await side.RunAsync(options.ModeArgs, counts, cancellation);
            var shown = string.Join(", ", rows.Take(3).Select(r => $"{r.Name} {CompareTable.Number(r.Value)} {r.Unit}"));
            var more = rows.Count > 3 ? $" (+{rows.Count - 3} rows)" : string.Empty;
            Console.WriteLine($"  {label} {side.Name}: {elapsed.TotalSeconds,5:F1} s  {shown}{more}{(counts ? string.Empty : " (not counted)")}");
        }
    }

    /// <summary>
    /// Whether the base can give the rows asked for, and whether it prints them with --rows-tsv (else its --e2e-only
    /// line is read): decided from its sources before anything is built, because a build that does not know a flag
    /// ignores it and runs the whole benchmark instead.
    /// </summary>
    private static async Task<bool> CheckBaseAsync(Git git, CompareOptions options, string commit, CancellationToken cancellation)
    {
        var at = $"{options.Reference} ({commit[..10]})";
        if (!await git.HasBenchmarkAsync(commit, cancellation))
        {
            throw new CompareException($"{at} has no {Git.BenchmarkFolder}: nothing to compare against.");
        }

        if (await git.KnowsFlagAsync(commit, "--rows-tsv", cancellation))
        {
            foreach (var flag in options.ModeArgs.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            {
                if (!await git.KnowsFlagAsync(commit, flag, cancellation))
                {
                    throw new CompareException($"the benchmark at {at} has no {flag}: '{options.ModeLabel}' cannot be compared against it.");
                }
            }

            return true;
        }

        var tsvSince = await SinceAsync(git, "--rows-tsv", cancellation);
        if (!options.IsE2eOnly)
        {
            throw new CompareException(
                $"the benchmark at {at} has no --rows-tsv{tsvSince}, the machine-readable output '{options.ModeLabel}' needs; " +
                "against a ref that old only the end-to-end row can be compared (--rows e2e, the default), if it has --e2e-only.");
        }

        if (!await git.KnowsFlagAsync(commit, "--e2e-only", cancellation))
        {
            throw new CompareException(
                $"the benchmark at {at} has neither --rows-tsv{tsvSince} nor --e2e-only{await SinceAsync(git, "--e2e-only", cancellation)}: " +
                "it cannot print the end-to-end row on its own, so there is nothing to compare it in (without the flag it would run the whole benchmark).");
        }

        return false;
    }

    private static async Task<string> SinceAsync(Git git, string flag, CancellationToken cancellation) =>
        await git.FirstWithFlagAsync(flag, cancellation) is { } first ? $" (it came in {first})" : string.Empty;
}
