using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Athomic.Scheduler.Testing;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port, for integration tests and benchmarks.
/// Needs <c>redis-server</c> on PATH (Debian: <c>apt-get install -y redis-server</c>).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;

    private RedisServer(int port, string dataDirectory, string[] extraArgs)
    {
        Port = port;
        DataDirectory = dataDirectory;
        ExtraArgs = extraArgs;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    private string[] ExtraArgs { get; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=5000";

    /// <summary>Starts a server; <paramref name="extraArgs"/> are redis-server options such as <c>--appendonly yes</c>.</summary>
    public static async Task<RedisServer> StartAsync(params string[] extraArgs)
    {
        var dir = Path.Combine(Path.GetTempPath(), "athomic-redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var server = new RedisServer(FreePort(), dir, extraArgs);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Starts the process again on the same port and data directory (after <see cref="StopAsync"/>).</summary>
    public async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", DataDirectory, "--protected-mode", "no" })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in ExtraArgs)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            _process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run 'apt-get install -y redis-server' (the README's test command does it).", ex);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server on port {Port} exited: {string.Join(Environment.NewLine, log)}"));
                return;
            }

            log.Enqueue(e.Data);
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Starts a replica of <paramref name="master"/> and waits until its link to the master is up and the initial sync
    /// is done (<c>master_link_status:up</c>).
    /// </summary>
    public static async Task<RedisServer> StartReplicaAsync(RedisServer master, params string[] extraArgs)
    {
        var replica = await StartAsync([.. extraArgs, "--replicaof", "127.0.0.1", master.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var connection = await replica.ConnectAsync(admin: true);
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!((await server.InfoRawAsync("replication")) ?? string.Empty).Contains("master_link_status:up", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The replica on port {replica.Port} did not sync with the master on port {master.Port} within 15 s.");
            }

            await Task.Delay(20); // polling the replica's own state: no event to await
        }

        return replica;
    }

    /// <summary>Freezes the process (SIGSTOP): it keeps its sockets but answers nothing, as a stalled host does.</summary>
    public void Freeze() => Signal(19);

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public void Thaw() => Signal(18);

    private void Signal(int signal)
    {
        if (_process is not { HasExited: false } p || Kill(p.Id, signal) != 0)
        {
            throw new InvalidOperationException($"Could not send signal {signal} to redis-server on port {Port}.");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>Kills the process (SIGKILL) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public Task<ConnectionMultiplexer> ConnectAsync(bool admin = false) =>
        ConnectionMultiplexer.ConnectAsync(ConnectionString + (admin ? ",allowAdmin=true" : string.Empty));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
