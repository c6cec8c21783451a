using Athomic.Scheduler.Benchmarks.Compare;
using Athomic.Scheduler.Benchmarks.Peers;

namespace Athomic.Scheduler.Benchmarks.Tests;

/// <summary>
/// The <c>--peers</c> run's plumbing without BullMQ itself: reading the Node script's lines, the skip path when node or
/// npm is missing, and (when node is on this machine) that the checked-in script parses. CI never depends on BullMQ.
/// </summary>
public sealed class BullMqPeerTests
{
    [Fact]
    public void The_script_lines_are_read_and_everything_else_is_skipped()
    {
        string[] stdout =
        [
            """{"meta":{"bullmq":"6.7.0","ioredis":"6.1.0","node":"v20.20.2"}}""",
            "npm warn install-scripts 1 package has install scripts",
            """{"row":"add1","value":6639.25,"unit":"/s","count":20000}""",
            """{"row":"latenessIdleP99","value":93,"unit":"ms","count":50}""",
            """{"row":"broken","value":"12","unit":"/s"}""",
            """{"row":"add1","value":7000.5,"unit":"/s","count""",
            "",
            """{"row":"memory","value":836.5272,"unit":"B","count":10000}""",
        ];

        var run = BullMqPeer.Parse(stdout);

        Assert.Null(run.Skipped);
        Assert.Equal("bullmq 6.7.0, ioredis 6.1.0, node v20.20.2", run.Versions);
        Assert.Equal(
            [new PeerRow("add1", 6639.25, "/s", 20000), new PeerRow("latenessIdleP99", 93, "ms", 50), new PeerRow("memory", 836.5272, "B", 10000)],
            run.Rows);
        Assert.Equal(6639.25, run["add1"]);
        Assert.Null(run["add32"]);
    }

    [Fact]
    public void The_rows_land_in_the_report_under_BullMQ_names()
    {
        var run = BullMqPeer.Parse(
        [
            """{"row":"add1","value":6639.25,"unit":"/s","count":20000}""",
            """{"row":"latenessBurstP50","value":120,"unit":"ms","count":10000}""",
            """{"row":"latenessBurstP95","value":300,"unit":"ms","count":10000}""",
            """{"row":"latenessBurstP99","value":310.5,"unit":"ms","count":10000}""",
        ]);
        var report = new Report();

        BullMqPeer.AddTo(report, run.Rows);

        Assert.Equal(
        [
            new Row("BullMQ Queue.add, 1 sequential caller", 6639.25, "/s"),
            new Row("BullMQ lateness burst p50", 120, "ms"),
            new Row("BullMQ lateness burst p95", 300, "ms"),
            new Row("BullMQ lateness burst p99", 310.5, "ms"),
        ],
        report.Numbers);
    }

    [Fact]
    public async Task Without_node_on_PATH_the_run_is_skipped_with_the_reason()
    {
        using var empty = new FakeTools();
        await using var peer = await BullMqPeer.InstallAsync(port: 1, scale: 10, TextWriter.Null, pathVariable: empty.Path);

        Assert.StartsWith("node is not on PATH", peer.Unavailable);
        Assert.Empty(await peer.RunAsync("add")); // nothing is started
        Assert.Empty(peer.Result.Rows);
        Assert.Equal(peer.Unavailable, peer.Result.Skipped);
    }

    [Fact]
    public async Task A_failing_npm_install_skips_the_run_with_its_output()
    {
        // A PATH with a "node" and an "npm" that fail as a broken install would: no network, no BullMQ.
        using var tools = new FakeTools(("node", "exit 0"), ("npm", "echo 'npm error network request failed' >&2; exit 1"));
        await using var peer = await BullMqPeer.InstallAsync(port: 1, scale: 10, TextWriter.Null, pathVariable: tools.Path);

        Assert.StartsWith("npm install failed (exit code 1:", peer.Unavailable);
        Assert.Contains("npm error network request failed", peer.Unavailable);
        Assert.Empty(await peer.RunAsync("add"));
        Assert.Empty(Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), $"athomic-bench-peers-{Environment.ProcessId}-*")); // the folder is gone
    }

    [Fact]
    public async Task A_failing_section_keeps_the_rows_it_printed_and_says_why()
    {
        // An installed peer whose "node" prints one row and then fails, as a script that lost its redis-server would.
        using var tools = new FakeTools(
            ("node", "echo '{\"row\":\"add1\",\"value\":100,\"unit\":\"/s\",\"count\":20}'; echo 'Error: connect ECONNREFUSED' >&2; exit 1"),
            ("npm", "exit 0"));
        await using var peer = await BullMqPeer.InstallAsync(port: 1, scale: 10, TextWriter.Null, pathVariable: tools.Path);
        Assert.Null(peer.Unavailable);

        var rows = await peer.RunAsync("add");

        Assert.Equal([new PeerRow("add1", 100, "/s", 20)], rows);
        Assert.StartsWith("add: bullmq-bench.mjs failed (exit code 1:", peer.Result.Skipped);
        Assert.Contains("ECONNREFUSED", peer.Result.Skipped);
        Assert.Equal(100, peer.Result["add1"]);
    }

    [Fact]
    public void Ratios_say_which_way_is_better()
    {
        Assert.Equal("7.3× better", PeerTable.Advantage(73, 10, higherIsBetter: true));
        Assert.Equal("2.0× worse", PeerTable.Advantage(5, 10, higherIsBetter: true));
        Assert.Equal("4.0× better", PeerTable.Advantage(229, 916, higherIsBetter: false));
        Assert.Equal("–", PeerTable.Advantage(229, null, higherIsBetter: false));
    }

    [NodeFact]
    public async Task The_checked_in_script_parses()
    {
        var node = BullMqPeer.FindOnPath("node", Environment.GetEnvironmentVariable("PATH"))!;
        var script = Path.Combine(BullMqPeer.SourceDirectory, BullMqPeer.Script);
        Assert.True(File.Exists(script), script);

        var check = await ChildProcess.RunAsync(node, ["--check", script], BullMqPeer.SourceDirectory, CancellationToken.None);

        Assert.True(check.ExitCode == 0, check.Tail());
    }
}

/// <summary>A temporary folder to use as PATH, with shell scripts standing in for node and npm.</summary>
internal sealed class FakeTools : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("athomic-peers-test-");

    public FakeTools(params (string Name, string Body)[] tools)
    {
        foreach (var (name, body) in tools)
        {
            var path = System.IO.Path.Combine(_folder.FullName, name);
            File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    public string Path => _folder.FullName;

    public void Dispose() => _folder.Delete(recursive: true);
}

/// <summary>A test that needs node on PATH (not npm, not the network); skipped with the reason where there is none.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (BullMqPeer.FindOnPath("node", Environment.GetEnvironmentVariable("PATH")) is null)
        {
            Skip = "node is not on PATH: the BullMQ script's syntax check needs it (the --peers run skips BullMQ the same way)";
        }
    }
}
