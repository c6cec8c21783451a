using System.Globalization;
using System.Text.Json;
using Athomic.Scheduler.Benchmarks.Compare;

namespace Athomic.Scheduler.Benchmarks.Peers;

/// <summary>One number BullMQ's script printed: <c>{"row":"add1","value":6639.2,"unit":"/s","count":20000}</c>.</summary>
internal sealed record PeerRow(string Key, double Value, string Unit, int Count);

/// <summary>What the <c>--peers</c> run of BullMQ gave: its rows and versions, and why some or all are missing.</summary>
internal sealed record PeerRun(IReadOnlyList<PeerRow> Rows, string Versions, string? Skipped)
{
    public static PeerRun Skip(string reason) => new([], string.Empty, reason);

    /// <summary>The value of the row named <paramref name="key"/>, or null when the script did not print it.</summary>
    public double? this[string key] => Rows.LastOrDefault(r => r.Key == key)?.Value;
}

/// <summary>
/// <c>--peers</c>: BullMQ on the run's own redis-server. <see cref="InstallAsync"/> copies <c>Peers/package.json</c> and
/// <c>Peers/bullmq-bench.mjs</c> (next to this build's output) to a fresh temporary folder and installs the pinned
/// <c>bullmq</c> there with npm (never into the repository); <see cref="RunAsync"/> runs one section of the script with
/// the run's port right after the same section of ours, so both meet the machine in the same state, and reads its JSON
/// lines. When node or npm is missing, or the install or a section fails, the run goes on without those rows and says why.
/// </summary>
internal sealed class BullMqPeer : IAsyncDisposable
{
    public const string Script = "bullmq-bench.mjs";
    public const string Manifest = "package.json";

    /// <summary>The script's sections, in the order of the benchmark's rows (its <c>--only</c> values).</summary>
    public static readonly string[] Sections = ["add", "memory", "e2e"];

    private readonly List<PeerRow> _rows = new();
    private readonly List<string> _failures = new();
    private readonly string? _node;
    private readonly string? _work;
    private readonly Dictionary<string, string> _environment;
    private readonly int _port;
    private readonly int _scale;
    private readonly TextWriter _log;
    private string _versions = string.Empty;

    private BullMqPeer(string? node, string? work, string? pathVariable, int port, int scale, TextWriter log)
    {
        (_node, _work, _port, _scale, _log) = (node, work, port, scale, log);
        _environment = new Dictionary<string, string> { ["PATH"] = pathVariable ?? string.Empty };
    }

    /// <summary>Where the build puts the script and its package.json (copied items of the benchmark project).</summary>
    public static string SourceDirectory => Path.Combine(AppContext.BaseDirectory, "Peers");

    /// <summary>Why BullMQ could not be installed, or null when it was.</summary>
    public string? Unavailable { get; private init; }

    /// <summary>All rows so far, and why any are missing.</summary>
    public PeerRun Result => new(_rows.ToList(), _versions, Unavailable ?? (_failures.Count > 0 ? string.Join("; ", _failures) : null));

    public static async Task<BullMqPeer> InstallAsync(int port, int scale, TextWriter log, string? pathVariable = null, string? sourceDirectory = null, TimeSpan? timeout = null)
    {
        pathVariable ??= Environment.GetEnvironmentVariable("PATH");
        sourceDirectory ??= SourceDirectory;
        BullMqPeer Unusable(string reason) => new(null, null, pathVariable, port, scale, log) { Unavailable = reason };
        var node = FindOnPath("node", pathVariable);
        if (node is null)
        {
            return Unusable("node is not on PATH (install Node.js 18 or later, with npm, to get BullMQ's rows)");
        }

        var npm = FindOnPath("npm", pathVariable);
        if (npm is null)
        {
            return Unusable("npm is not on PATH (it installs the pinned bullmq into a temporary folder)");
        }

        if (!File.Exists(Path.Combine(sourceDirectory, Script)) || !File.Exists(Path.Combine(sourceDirectory, Manifest)))
        {
            return Unusable($"{Script} or {Manifest} is missing in {sourceDirectory}");
        }

        var work = Path.Combine(Path.GetTempPath(), $"athomic-bench-peers-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        File.Copy(Path.Combine(sourceDirectory, Script), Path.Combine(work, Script));
        File.Copy(Path.Combine(sourceDirectory, Manifest), Path.Combine(work, Manifest));
        var peer = new BullMqPeer(node, work, pathVariable, port, scale, log);
        log.WriteLine($"  BullMQ: npm install in {work} ...");
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        var install = await peer.RunAsync(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel", "error"], cancel.Token);
        if (install.Failure is { } failure)
        {
            TryDelete(work);
            return Unusable($"npm install failed ({failure})");
        }

        return peer;
    }

    /// <summary>Runs one of <see cref="Sections"/> (<c>--only</c>); its rows join <see cref="Result"/>, its failure too.</summary>
    public async Task<IReadOnlyList<PeerRow>> RunAsync(string section, TimeSpan? timeout = null)
    {
        if (Unavailable is not null || _node is null)
        {
            return [];
        }

        _log.WriteLine($"  BullMQ: node {Script} --port {_port} --scale {_scale} --only {section} ...");
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(15));
        string[] arguments = [Script, "--port", _port.ToString(CultureInfo.InvariantCulture), "--scale", _scale.ToString(CultureInfo.InvariantCulture), "--only", section];
        var run = await RunAsync(_node, arguments, cancel.Token);
        var parsed = run.Result is { } result ? Parse(result.StdOut) : PeerRun.Skip(string.Empty);
        _versions = parsed.Versions.Length > 0 ? parsed.Versions : _versions;
        _rows.AddRange(parsed.Rows);
        if (run.Failure is { } failure)
        {
            _failures.Add($"{section}: {Script} failed ({failure})");
        }
        else if (parsed.Rows.Count == 0)
        {
            _failures.Add($"{section}: {Script} printed no rows");
        }

        return parsed.Rows;
    }

    public ValueTask DisposeAsync()
    {
        if (_work is not null)
        {
            TryDelete(_work);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// BullMQ's rows in the report (so <c>--rows-tsv</c> and <c>--compare</c> see them too), named as ours with a "BullMQ"
    /// prefix; rows the script did not print are left out.
    /// </summary>
    public static void AddTo(Report report, IReadOnlyList<PeerRow> rows)
    {
        var run = new PeerRun(rows, string.Empty, null);

        void Rate(string key, string name, string note)
        {
            if (run.Rows.LastOrDefault(r => r.Key == key) is { } row)
            {
                report.Rate(name, row.Value, $"({row.Count:N0} jobs) {note}".TrimEnd());
            }
        }

        void Percentiles(string prefix, string name, string note)
        {
            double?[] p = [run[prefix + "P50"], run[prefix + "P95"], run[prefix + "P99"]];
            if (p.All(v => v is not null))
            {
                report.Add(name, string.Join(" / ", p.Select(v => v!.Value.ToString("F1", CultureInfo.InvariantCulture))) + " ms", note);
            }
        }

        Rate("add1", "BullMQ Queue.add, 1 sequential caller", "due in a day");
        Rate("add32", "BullMQ Queue.add, 32 concurrent callers", "one connection");
        Rate("bulk", "BullMQ Queue.addBulk (1,000 per call)", string.Empty);
        if (run.Rows.LastOrDefault(r => r.Key == "memory") is { } memory)
        {
            report.Add("BullMQ memory per delayed job", memory.Value.ToString("F0", CultureInfo.InvariantCulture) + " B", $"({memory.Count:N0} jobs)");
        }

        Rate("e2e", "BullMQ end to end, no-op processor, 1 worker", "concurrency 64, removeOnComplete");
        Percentiles("latenessIdle", "BullMQ lateness idle p50 / p95 / p99", "(50 jobs, each 100 ms ahead)");
        var added = (run["burstAddSeconds"], run["burstLeadSeconds"]) switch
        {
            ({ } took, { } lead) => $", {lead:F0} s ahead; added in {took * 1000:F0} ms{(took > lead ? ": LATER THAN DUE, lateness includes the adds" : string.Empty)}",
            ({ } took, null) => $"; added in {took * 1000:F0} ms",
            _ => string.Empty,
        };
        Percentiles("latenessBurst", "BullMQ lateness burst p50 / p95 / p99", $"({run.Rows.LastOrDefault(r => r.Key == "latenessBurstP99")?.Count:N0} jobs due at once{added})");
    }

    /// <summary>The rows and the versions line of the script's stdout; lines that are not the script's JSON are skipped.</summary>
    public static PeerRun Parse(IEnumerable<string> lines)
    {
        var rows = new List<PeerRow>();
        var versions = string.Empty;
        foreach (var line in lines)
        {
            if (TryParseLine(line, out var row))
            {
                rows.Add(row);
            }
            else if (TryParseMeta(line) is { } meta)
            {
                versions = meta;
            }
        }

        return new PeerRun(rows, versions, null);
    }

    /// <summary>Reads one <c>{"row":…,"value":…,"unit":…,"count":…}</c> line; anything else (npm's or node's warnings) is not one.</summary>
    public static bool TryParseLine(string line, out PeerRow row)
    {
        row = null!;
        if (Json(line) is not { } json)
        {
            return false;
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("row", out var key) || key.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Number)
            {
                return false;
            }

            var unit = root.TryGetProperty("unit", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : string.Empty;
            var count = root.TryGetProperty("count", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var n) ? n : 0;
            row = new PeerRow(key.GetString()!, value.GetDouble(), unit, count);
            return true;
        }
    }

    /// <summary>Finds <paramref name="tool"/> as an executable file in one of <paramref name="pathVariable"/>'s folders.</summary>
    public static string? FindOnPath(string tool, string? pathVariable)
    {
        foreach (var folder in (pathVariable ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in OperatingSystem.IsWindows() ? [tool + ".cmd", tool + ".exe"] : new[] { tool })
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    // "bullmq 6.7.0, ioredis 6.1.0, node v20.20.2" from {"meta":{"bullmq":"6.7.0","ioredis":"6.1.0","node":"v20.20.2"}}.
    private static string? TryParseMeta(string line)
    {
        using var json = Json(line);
        if (json is null || json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("meta", out var meta) || meta.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return string.Join(", ", meta.EnumerateObject().Select(p => $"{p.Name} {p.Value}"));
    }

    private static JsonDocument? Json(string line)
    {
        if (!line.TrimStart().StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<(ChildResult? Result, string? Failure)> RunAsync(string file, string[] arguments, CancellationToken timeout)
    {
        try
        {
            var result = await ChildProcess.RunAsync(file, arguments, _work!, timeout, _environment);
            return result.ExitCode == 0 ? (result, null) : (result, $"exit code {result.ExitCode}:{Environment.NewLine}{result.Tail(10)}");
        }
        catch (CompareException ex)
        {
            return (null, ex.Message);
        }
        catch (OperationCanceledException)
        {
            return (null, "timed out");
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the run over.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
