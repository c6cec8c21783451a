namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// One of the two builds being compared: runs its benchmark dll as a child process and reads the rows it printed,
/// as <c>--rows-tsv</c> lines or, for a ref older than that flag, as the <c>--e2e-only</c> line.
/// </summary>
internal sealed class BenchSide(string name, string description, string dll, bool rowsTsv, string temp)
{
    // Numbers printed with the current culture (the old e2e line, the live rows) are read as invariant: "C" is invariant
    // to .NET. TMPDIR: what a run leaves in the temp folder (its redis-server's data folder when it is killed) is the
    // comparison's to delete.
    private readonly Dictionary<string, string> _environment = new() { ["LC_ALL"] = "C.UTF-8", ["LANG"] = "C.UTF-8", ["TMPDIR"] = temp };

    /// <summary>"base" or "head".</summary>
    public string Name { get; } = name;

    /// <summary>What was built: the ref and commit, or the working tree.</summary>
    public string Description { get; } = description;

    public bool RowsTsv { get; } = rowsTsv;

    /// <summary>Each counted run's rows, in the order the runs were made (the i-th of each side is of round i).</summary>
    public List<IReadOnlyList<Row>> Runs { get; } = [];

    /// <summary>One run in a fresh process; its rows are kept in <see cref="Runs"/> when it <paramref name="counts"/> (not a warm-up).</summary>
    public async Task<(IReadOnlyList<Row> Rows, TimeSpan Elapsed)> RunAsync(IReadOnlyList<string> modeArgs, bool counts, CancellationToken cancellation)
    {
        string[] arguments = [dll, .. modeArgs, .. RowsTsv ? ["--rows-tsv"] : Array.Empty<string>()];
        var result = await ChildProcess.RunAsync("dotnet", arguments, Path.GetDirectoryName(dll)!, cancellation, _environment);
        var rows = Read(result.StdOut);
        if (result.ExitCode != 0 || rows.Count == 0)
        {
            throw new CompareException(
                $"the {Name} run (dotnet {string.Join(' ', arguments)}) {(result.ExitCode != 0 ? $"exited with {result.ExitCode}" : "printed no rows")}; its last lines:{Environment.NewLine}{result.Tail()}");
        }

        if (counts)
        {
            Runs.Add(rows);
        }

        return (rows, result.Elapsed);
    }

    private List<Row> Read(IEnumerable<string> stdout)
    {
        var rows = new List<Row>();
        foreach (var line in stdout)
        {
            if (RowsTsv && Row.TryParseTsv(line, out var row))
            {
                rows.Add(row);
            }
            else if (!RowsTsv && E2eLine.TryParse(line, out var e2e))
            {
                rows.AddRange(e2e);
            }
        }

        // A name printed twice in one run (two report sections naming a row alike) stays two rows.
        var seen = new Dictionary<string, int>();
        return rows.Select(r => (seen[r.Name] = seen.GetValueOrDefault(r.Name) + 1) == 1 ? r : r with { Name = $"{r.Name} #{seen[r.Name]}" }).ToList();
    }
}
