using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Athomic.Scheduler.Testing;

/// <summary>
/// A replicated Redis under Sentinel on loopback, from the same <c>redis-server</c> binary: one master, one replica and
/// three sentinels (quorum 2, <c>down-after-milliseconds 1000</c>), as production Sentinel set-ups run it.
/// </summary>
public sealed class SentinelSet : IAsyncDisposable
{
    public const string ServiceName = "mymaster";

    private readonly List<Process> _sentinels = [];
    private readonly string _directory;

    private SentinelSet(RedisServer master, RedisServer replica, string directory)
    {
        Master = master;
        Replica = replica;
        _directory = directory;
    }

    /// <summary>The first master (SIGKILL it to cause a failover).</summary>
    public RedisServer Master { get; }

    /// <summary>The replica that the sentinels promote when the master dies.</summary>
    public RedisServer Replica { get; }

    /// <summary>The sentinels' ports.</summary>
    public List<int> SentinelPorts { get; } = [];

    /// <summary>A StackExchange.Redis connection string through the sentinels, as an application would configure it.</summary>
    public string ConnectionString =>
        string.Join(",", SentinelPorts.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))) + $",serviceName={ServiceName},abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public static async Task<SentinelSet> StartAsync()
    {
        var master = await RedisServer.StartAsync();
        var replica = await RedisServer.StartReplicaAsync(master);
        var directory = Path.Combine(Path.GetTempPath(), "athomic-sentinel-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var set = new SentinelSet(master, replica, directory);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await set.StartSentinelAsync(i);
            }

            await set.WhenSentinelsKnowTheReplicaAsync();
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The master's port as the sentinels report it now.</summary>
    public async Task<int> CurrentMasterPortAsync()
    {
        await using var sentinel = await ConnectSentinelAsync(SentinelPorts[0]);
        var server = sentinel.GetServer("127.0.0.1", SentinelPorts[0]);
        var address = await server.SentinelGetMasterAddressByNameAsync(ServiceName);
        return address is IPEndPoint ip ? ip.Port : -1;
    }

    private async Task StartSentinelAsync(int index)
    {
        var port = FreePort();
        var conf = Path.Combine(_directory, $"sentinel-{index}.conf");
        await File.WriteAllTextAsync(conf, string.Join('\n', [
            $"port {port}",
            "bind 127.0.0.1",
            "protected-mode no",
            $"dir {_directory}",
            $"sentinel monitor {ServiceName} 127.0.0.1 {Master.Port} 2",
            $"sentinel down-after-milliseconds {ServiceName} 1000",
            $"sentinel failover-timeout {ServiceName} 5000",
            $"sentinel parallel-syncs {ServiceName} 1",
            string.Empty]));
        var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(conf);
        psi.ArgumentList.Add("--sentinel");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server --sentinel did not start.");
        _sentinels.Add(process);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"sentinel on port {port} exited."));
            }
            else if (e.Data.Contains("+monitor master", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
        SentinelPorts.Add(port);
    }

    /// <summary>Waits until every sentinel lists the replica, so that a failover has a replica to promote.</summary>
    private async Task WhenSentinelsKnowTheReplicaAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in SentinelPorts)
        {
            await using var sentinel = await ConnectSentinelAsync(port);
            var server = sentinel.GetServer("127.0.0.1", port);
            while ((await server.SentinelReplicasAsync(ServiceName)).Length == 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"The sentinel on port {port} did not discover the replica within 30 s.");
                }

                await Task.Delay(100); // the sentinel's own discovery (INFO every 10 s, or hello messages): no event to await
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _sentinels)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await Replica.DisposeAsync();
        await Master.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A connection to one sentinel itself (sentinels know only the SENTINEL commands, PING and a few more).</summary>
    private static Task<ConnectionMultiplexer> ConnectSentinelAsync(int port)
    {
        var options = new ConfigurationOptions { CommandMap = CommandMap.Sentinel, TieBreaker = string.Empty, AbortOnConnectFail = false, ConnectTimeout = 2000 };
        options.EndPoints.Add("127.0.0.1", port);
        return ConnectionMultiplexer.ConnectAsync(options);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
