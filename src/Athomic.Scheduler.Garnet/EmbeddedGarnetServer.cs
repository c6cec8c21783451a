using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Athomic.Scheduler.Garnet;

/// <summary>
/// A Microsoft Garnet server running inside this process on a loopback port, with Lua scripting and, when a data
/// directory is given, persistence (append-only file plus checkpoints, recovered at the next start).
/// </summary>
/// <remarks>
/// Started with <c>--lua --lua-transaction-mode</c>: without transaction mode, concurrent Lua claims are not isolated.
/// Garnet has no streams and no FUNCTION; the scheduler needs neither with the in-process broker.
/// </remarks>
public sealed class EmbeddedGarnetServer : IDisposable
{
    private readonly global::Garnet.GarnetServer _server;

    private EmbeddedGarnetServer(global::Garnet.GarnetServer server, int port, string? dataDirectory)
    {
        _server = server;
        Port = port;
        DataDirectory = dataDirectory;
    }

    /// <summary>The loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Where data is persisted, or <see langword="null"/> for a memory-only server.</summary>
    public string? DataDirectory { get; }

    /// <summary>A StackExchange.Redis connection string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    /// <summary>Starts a server.</summary>
    /// <param name="dataDirectory">Where to persist data (created when missing); <see langword="null"/> keeps data in memory only.</param>
    /// <param name="port">The loopback port; 0 picks a free one.</param>
    /// <param name="loggerFactory">Receives Garnet's logs; none when <see langword="null"/>.</param>
    /// <returns>The running server.</returns>
    public static EmbeddedGarnetServer Start(string? dataDirectory = null, int port = 0, ILoggerFactory? loggerFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        port = port == 0 ? FreePort() : port;
        var args = new List<string> { "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lua", "--lua-transaction-mode" };
        if (dataDirectory is not null)
        {
            dataDirectory = Path.GetFullPath(dataDirectory);
            Directory.CreateDirectory(dataDirectory);
            args.AddRange(
            [
                "--storage-tier", "true", "--device-type", "RandomAccess",
                "--logdir", Path.Combine(dataDirectory, "log"),
                "--checkpointdir", Path.Combine(dataDirectory, "checkpoints"),
                "--aof", "--aof-commit-freq", "0", "--recover",
            ]);
        }

        // Garnet writes a banner to the console while it starts; keep the host's console output clean.
        var console = Console.Out;
        global::Garnet.GarnetServer server;
        try
        {
            Console.SetOut(TextWriter.Null);
            server = new global::Garnet.GarnetServer([.. args], loggerFactory ?? NullLoggerFactory.Instance, cleanupDir: false, null);
            server.Start();
        }
        finally
        {
            Console.SetOut(console);
        }

        return new EmbeddedGarnetServer(server, port, dataDirectory);
    }

    /// <summary>Stops the server; data already committed to the append-only file is kept.</summary>
    public void Dispose() => _server.Dispose();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
