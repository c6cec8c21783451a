using System.Diagnostics;
using StackExchange.Redis;

namespace Athomic.Scheduler.Testing;

/// <summary>
/// A real Redis Cluster of masters (no replicas) on free loopback ports, each with an fsync-always append-only file,
/// created with <c>redis-cli --cluster create</c> (Debian: redis-tools comes with redis-server).
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    private RedisCluster(RedisServer[] masters)
    {
        Masters = masters;
    }

    public IReadOnlyList<RedisServer> Masters { get; }

    /// <summary>Every master's endpoint: StackExchange.Redis discovers the cluster from any of them.</summary>
    public string ConnectionString =>
        string.Join(",", Masters.Select(m => $"127.0.0.1:{m.Port}")) + ",abortConnect=false,connectTimeout=2000,syncTimeout=5000";

    public static async Task<RedisCluster> StartAsync(int masters = 3)
    {
        var nodes = new List<RedisServer>();
        try
        {
            foreach (var _ in Enumerable.Range(0, masters))
            {
                nodes.Add(await RedisServer.StartAsync(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "5000",
                    "--cluster-require-full-coverage", "no",
                    "--appendonly", "yes",
                    "--appendfsync", "always"));
            }

            var cluster = new RedisCluster([.. nodes]);
            await cluster.CreateAsync();
            await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    public Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(ConnectionString);

    /// <summary>How often <see cref="WaitUntilOkAsync"/> asks again: cluster convergence raises no event to await.</summary>
    private static readonly TimeSpan ConvergencePollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Polls every master's <c>CLUSTER INFO</c> until all report <c>cluster_state:ok</c> and agree on the masters.</summary>
    public async Task WaitUntilOkAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var states = await Task.WhenAll(Masters.Select(m => CliAsync(m.Port, "cluster", "info")));
            if (states.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)
                && s.Contains("cluster_known_nodes:" + Masters.Count, StringComparison.Ordinal)
                && s.Contains("cluster_slots_ok:16384", StringComparison.Ordinal)))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The cluster did not reach cluster_state:ok: " + string.Join(" | ", states));
            }

            await Task.Delay(ConvergencePollInterval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var master in Masters)
        {
            await master.DisposeAsync();
        }
    }

    private async Task CreateAsync()
    {
        var args = new List<string> { "--cluster", "create" };
        args.AddRange(Masters.Select(m => $"127.0.0.1:{m.Port}"));
        args.AddRange(["--cluster-replicas", "0", "--cluster-yes"]);
        var output = await RunAsync("redis-cli", args);
        if (!output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("redis-cli --cluster create failed: " + output);
        }
    }

    private static Task<string> CliAsync(int port, params string[] command) =>
        RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(), .. command]);

    private static async Task<string> RunAsync(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return await stdout + await stderr;
    }
}
