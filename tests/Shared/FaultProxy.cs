using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Athomic.Scheduler.Testing;

/// <summary>Which way the bytes a fault acts on travel through a <see cref="FaultProxy"/>.</summary>
[Flags]
public enum FaultDirection
{
    /// <summary>Client to server: commands.</summary>
    Upstream = 1,

    /// <summary>Server to client: replies and Pub/Sub messages.</summary>
    Downstream = 2,

    /// <summary>Both ways.</summary>
    Both = Upstream | Downstream,
}

/// <summary>What a <see cref="Fault"/> does.</summary>
public enum FaultKind
{
    /// <summary>Holds the bytes (they stay buffered, in order, and flow again when the stall ends), as a stalled network or host.</summary>
    Stall,

    /// <summary>Delivers every chunk <see cref="Fault.Latency"/> after it was read.</summary>
    Latency,

    /// <summary>
    /// Resets the open connections and every connection opened while the fault lasts. <see cref="FaultDirection.Both"/>:
    /// both ends get a TCP RST. <see cref="FaultDirection.Downstream"/> (the reset travels to the client): the client
    /// gets the RST, the server's end stays open and silent until the fault ends. <see cref="FaultDirection.Upstream"/>
    /// (the reset travels to the server): the server gets the RST, the client's end stays open but silent (nothing it
    /// sends arrives, nothing comes back) until the fault ends, then it is reset too: a half-open connection.
    /// </summary>
    Reset,
}

/// <summary>One fault: what, which way and for how long (a proxy ends every fault by itself after its duration).</summary>
/// <param name="Kind">What it does.</param>
/// <param name="Direction">Which way.</param>
/// <param name="Duration">How long it lasts (at most <see cref="FaultProxy.MaxFaultDuration"/>; a reset may last 0: only the open connections).</param>
/// <param name="Latency">For <see cref="FaultKind.Latency"/>: the added delay per chunk.</param>
public sealed record Fault(FaultKind Kind, FaultDirection Direction, TimeSpan Duration, TimeSpan Latency = default)
{
    public override string ToString() =>
        $"{Kind}{(Kind == FaultKind.Latency ? $" +{Latency.TotalMilliseconds:F0}ms" : "")} {Direction} for {Duration.TotalMilliseconds:F0}ms";
}

/// <summary>
/// A TCP proxy on a free 127.0.0.1 port in front of a server on loopback (a redis-server), whose traffic can be stalled,
/// delayed and reset, each in one direction or both, switched at run time (<see cref="Inject"/>). Every fault ends by
/// itself after its duration (at most <see cref="MaxFaultDuration"/>), every wait in the proxy is bounded by one, and
/// disposing the proxy closes everything at once. Listens and connects on loopback only.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    /// <summary>The longest a fault may last.</summary>
    public static readonly TimeSpan MaxFaultDuration = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Link> _links = new();
    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _acceptLoop;
    private ActiveFault[] _active = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queued; // chunks read and not yet written on (or dropped with their connection)
    private long _nextId;
    private long _accepted, _resets, _bytesUp, _bytesDown;

    /// <summary>Starts a proxy to a server on 127.0.0.1:<paramref name="targetPort"/>.</summary>
    public FaultProxy(int targetPort)
        : this(new IPEndPoint(IPAddress.Loopback, targetPort))
    {
    }

    /// <summary>Starts a proxy to <paramref name="target"/>, which must be a loopback address.</summary>
    public FaultProxy(IPEndPoint target)
    {
        if (!IPAddress.IsLoopback(target.Address))
        {
            throw new ArgumentException($"The fault proxy relays to loopback only, not to {target}.", nameof(target));
        }

        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, for a connection string.</summary>
    public string EndPoint => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Connections accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections reset so far (by a <see cref="FaultKind.Reset"/>).</summary>
    public long Resets => Interlocked.Read(ref _resets);

    /// <summary>Bytes relayed client to server.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>Bytes relayed server to client.</summary>
    public long BytesDown => Interlocked.Read(ref _bytesDown);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _links.Count;

    /// <summary>The faults in force now.</summary>
    public IReadOnlyList<Fault> ActiveFaults
    {
        get
        {
            var now = _clock.Elapsed;
            return Volatile.Read(ref _active).Where(a => a.Until > now).Select(a => a.Fault).ToList();
        }
    }

    public override string ToString() =>
        $"proxy {EndPoint} -> {_target}: {Accepted} accepted, {Resets} reset, {BytesUp} B up, {BytesDown} B down, faults [{string.Join(", ", ActiveFaults)}]";

    /// <summary>
    /// Puts <paramref name="fault"/> in force now, beside any other; it ends by itself after its duration, or earlier when
    /// the returned handle is disposed or <see cref="Heal"/> is called.
    /// </summary>
    public IDisposable Inject(Fault fault)
    {
        if (fault.Duration < TimeSpan.Zero || fault.Duration > MaxFaultDuration)
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.Duration, $"A fault lasts 0 to {MaxFaultDuration}.");
        }

        if (fault.Kind == FaultKind.Latency && (fault.Latency <= TimeSpan.Zero || fault.Latency > MaxFaultDuration))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.Latency, $"A latency is above 0 and at most {MaxFaultDuration}.");
        }

        if (fault.Direction is not (FaultDirection.Upstream or FaultDirection.Downstream or FaultDirection.Both))
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.Direction, "A fault acts upstream, downstream or both.");
        }

        var active = new ActiveFault(Interlocked.Increment(ref _nextId), fault, _clock.Elapsed + fault.Duration);
        Update(list => [.. list, active]);
        if (fault.Kind == FaultKind.Reset)
        {
            foreach (var link in _links.Values)
            {
                link.Reset(fault.Direction, active.Until);
            }
        }

        // Ends by itself: the state is re-read at each deadline anyway; this only wakes the pumps waiting on it.
        _ = EndLaterAsync(active);
        return new Handle(this, active.Id);
    }

    /// <summary>Puts <paramref name="fault"/> in force and completes when it ended (after its duration).</summary>
    public async Task RunAsync(Fault fault, CancellationToken cancellationToken = default)
    {
        using var handle = Inject(fault);
        await Task.Delay(fault.Duration, cancellationToken); // a fault window is timed by design
    }

    /// <summary>
    /// Completes once no fault is in force and every byte the proxy read has been written on (or dropped with its
    /// connection): after it, nothing a client sent before can still reach the server late. At most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Still faulted or holding bytes after <paramref name="timeout"/>.</exception>
    public async Task WhenDrainedAsync(TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            Task changed, idle;
            lock (_gate)
            {
                (changed, idle) = (_changed.Task, _idle.Task);
            }

            var now = _clock.Elapsed;
            var active = Volatile.Read(ref _active).Where(a => a.Until > now).ToList();
            if (active.Count == 0 && Interlocked.Read(ref _queued) == 0)
            {
                return;
            }

            if (now >= deadline)
            {
                throw new TimeoutException($"The proxy is still faulted or holding bytes after {timeout}: {this}");
            }

            var wake = active.Count == 0 ? deadline : TimeSpan.FromTicks(Math.Min(deadline.Ticks, active.Min(a => a.Until).Ticks));
            await Task.WhenAny(changed, idle, Task.Delay(wake - now)); // a fault's end is timed; the rest are events
        }
    }

    private void Queued(int delta)
    {
        if (Interlocked.Add(ref _queued, delta) == 0)
        {
            TaskCompletionSource idle;
            lock (_gate)
            {
                idle = _idle;
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            idle.TrySetResult();
        }
    }

    /// <summary>Ends every fault now (half-open connections left by a reset are closed).</summary>
    public void Heal()
    {
        Update(_ => []);
        foreach (var link in _links.Values)
        {
            link.EndHalfOpen();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var link in _links.Values)
        {
            link.Abort();
        }

        await _acceptLoop;
        await Task.WhenAll(_links.Values.Select(l => l.Done));
        _stop.Dispose();
    }

    private async Task EndLaterAsync(ActiveFault active)
    {
        try
        {
            await Task.Delay(active.Fault.Duration, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        End(active.Id);
    }

    private void End(long id)
    {
        Update(list => list.Where(a => a.Id != id).ToArray());
        if (!Volatile.Read(ref _active).Any(a => a.Fault.Kind == FaultKind.Reset))
        {
            foreach (var link in _links.Values)
            {
                link.EndHalfOpen();
            }
        }
    }

    private void Update(Func<ActiveFault[], ActiveFault[]> change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            var now = _clock.Elapsed;
            _active = change(_active).Where(a => a.Until > now).ToArray();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>The reset in force now, if any (a new connection gets the same treatment), with its end.</summary>
    private (FaultDirection Direction, TimeSpan Until)? ResetInForce()
    {
        var now = _clock.Elapsed;
        var resets = Volatile.Read(ref _active).Where(a => a.Fault.Kind == FaultKind.Reset && a.Until > now).ToList();
        return resets.Count == 0 ? null : (resets.Aggregate((FaultDirection)0, (d, a) => d | a.Fault.Direction), resets.Max(a => a.Until));
    }

    /// <summary>
    /// Waits until a chunk read at <paramref name="readAt"/> may go on in <paramref name="direction"/>: no stall in force
    /// and the latency in force has passed since it was read. Re-reads the faults whenever they change; each wait is
    /// bounded by the end of the fault that causes it.
    /// </summary>
    private async Task ReleaseAsync(FaultDirection direction, TimeSpan readAt, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _active).Length == 0)
        {
            return;
        }

        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var now = _clock.Elapsed;
            var active = Volatile.Read(ref _active).Where(a => a.Until > now && (a.Fault.Direction & direction) != 0).ToList();
            var stalledUntil = active.Where(a => a.Fault.Kind == FaultKind.Stall).Select(a => a.Until).DefaultIfEmpty(TimeSpan.Zero).Max();
            var latency = active.Where(a => a.Fault.Kind == FaultKind.Latency).Select(a => a.Fault.Latency).DefaultIfEmpty(TimeSpan.Zero).Max();
            var until = stalledUntil > now ? stalledUntil : readAt + latency;
            if (until <= now)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(until - now, timeout.Token);
            await Task.WhenAny(delay, changed).WaitAsync(cancellationToken);
            await timeout.CancelAsync();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            var link = new Link(this, Interlocked.Increment(ref _nextId), client);
            _links[link.Id] = link;
            _ = link.RunAsync();
        }
    }

    private sealed record ActiveFault(long Id, Fault Fault, TimeSpan Until);

    private sealed class Handle(FaultProxy proxy, long id) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                proxy.End(id);
            }
        }
    }

    /// <summary>One client connection and its connection to the server: a pump each way, through the faults.</summary>
    private sealed class Link(FaultProxy proxy, long id, Socket client)
    {
        private readonly CancellationTokenSource _pumps = CancellationTokenSource.CreateLinkedTokenSource(proxy._stop.Token);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _halfOpenEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _gate = new();
        private Socket? _server;
        private Socket? _halfOpen;        // the end a one-way reset left open, reset in turn when that reset ends
        private TimeSpan _halfOpenUntil;
        private bool _closed;

        public long Id => id;

        public Task Done => _done.Task;

        public async Task RunAsync()
        {
            try
            {
                if (proxy.ResetInForce() is { } reset)
                {
                    // Opened during a reset: the same treatment at once (reset, or left half-open without a server).
                    Reset(reset.Direction == FaultDirection.Upstream ? FaultDirection.Upstream : FaultDirection.Both, reset.Until);
                }
                else
                {
                    await RelayAsync();
                }
            }
            catch (Exception)
            {
                // Ended by a reset, by either end or by the proxy's disposal: the connection is over both ways.
            }

            try
            {
                await HalfOpenAsync();
            }
            finally
            {
                Close();
                proxy._links.TryRemove(id, out _);
                _done.TrySetResult();
            }
        }

        /// <summary>Applies a reset (see <see cref="FaultKind.Reset"/>): the end it travels to gets a RST, the other stays open until <paramref name="until"/>.</summary>
        public void Reset(FaultDirection direction, TimeSpan until)
        {
            Socket? server;
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }

                _closed = true;
                server = _server;
                _halfOpenUntil = until;
                _halfOpen = direction switch
                {
                    FaultDirection.Upstream => client,
                    FaultDirection.Downstream => server,
                    _ => null,
                };
            }

            Interlocked.Increment(ref proxy._resets);
            CancelPumps();
            if (direction.HasFlag(FaultDirection.Downstream))
            {
                Abortive(client);
            }

            if (direction.HasFlag(FaultDirection.Upstream) && server is not null)
            {
                Abortive(server);
            }
        }

        /// <summary>Resets the end a one-way reset left open now (the reset ended early, or the proxy healed).</summary>
        public void EndHalfOpen()
        {
            lock (_gate)
            {
                if (_halfOpen is null)
                {
                    return;
                }
            }

            _halfOpenEnded.TrySetResult();
        }

        public void Abort()
        {
            Socket? server;
            lock (_gate)
            {
                _closed = true;
                server = _server;
            }

            CancelPumps();
            _halfOpenEnded.TrySetResult();
            Abortive(client);
            if (server is not null)
            {
                Abortive(server);
            }
        }

        private async Task RelayAsync()
        {
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using (var connect = CancellationTokenSource.CreateLinkedTokenSource(_pumps.Token))
            {
                connect.CancelAfter(ConnectTimeout);
                await server.ConnectAsync(proxy._target, connect.Token);
            }

            lock (_gate)
            {
                if (_closed)
                {
                    Abortive(server);
                    return;
                }

                _server = server;
            }

            await Task.WhenAll(PumpAsync(client, server, FaultDirection.Upstream), PumpAsync(server, client, FaultDirection.Downstream));
        }

        /// <summary>Keeps the end a one-way reset left open, silent, until that reset ends (bounded by it), then resets it.</summary>
        private async Task HalfOpenAsync()
        {
            Socket? open;
            TimeSpan until;
            lock (_gate)
            {
                (open, until) = (_halfOpen, _halfOpenUntil);
            }

            if (open is null)
            {
                return;
            }

            var wait = until - proxy._clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await _halfOpenEnded.Task.WaitAsync(wait, proxy._stop.Token);
                }
                catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
                {
                    // The reset's time is up (or the proxy stops).
                }
            }

            Abortive(open);
        }

        private void Close()
        {
            lock (_gate)
            {
                _closed = true;
            }

            CancelPumps();
            client.Dispose();
            _server?.Dispose();
            _pumps.Dispose();
        }

        /// <summary>Relays <paramref name="from"/> to <paramref name="to"/>: a reader fills a bounded queue (a stall holds
        /// the rest in the sockets' buffers), a writer releases each chunk through the faults in force.</summary>
        private async Task PumpAsync(Socket from, Socket to, FaultDirection direction)
        {
            var token = _pumps.Token;
            var queue = Channel.CreateBounded<(TimeSpan ReadAt, byte[] Bytes, int Length)>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
            var reader = Task.Run(
                async () =>
                {
                    try
                    {
                        while (true)
                        {
                            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
                            var n = await from.ReceiveAsync(buffer, SocketFlags.None, token);
                            proxy.Queued(1);
                            if (!queue.Writer.TryWrite((proxy._clock.Elapsed, buffer, n)))
                            {
                                try
                                {
                                    await queue.Writer.WriteAsync((proxy._clock.Elapsed, buffer, n), token);
                                }
                                catch (Exception)
                                {
                                    proxy.Queued(-1);
                                    throw;
                                }
                            }

                            if (n == 0)
                            {
                                return;
                            }
                        }
                    }
                    finally
                    {
                        queue.Writer.TryComplete();
                    }
                },
                CancellationToken.None);
            try
            {
                await foreach (var (readAt, bytes, length) in queue.Reader.ReadAllAsync(token))
                {
                    try
                    {
                        await proxy.ReleaseAsync(direction, readAt, token);
                        if (length == 0)
                        {
                            to.Shutdown(SocketShutdown.Send); // the sender closed: pass the FIN on, after the bytes before it
                            break;
                        }

                        await to.SendAsync(bytes.AsMemory(0, length), SocketFlags.None, token);
                        if (direction == FaultDirection.Upstream)
                        {
                            Interlocked.Add(ref proxy._bytesUp, length);
                        }
                        else
                        {
                            Interlocked.Add(ref proxy._bytesDown, length);
                        }
                    }
                    finally
                    {
                        proxy.Queued(-1);
                        System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
                    }
                }
            }
            catch (Exception)
            {
                CancelPumps(); // one way failed: the connection is over both ways
                throw;
            }
            finally
            {
                try
                {
                    await reader;
                }
                catch (Exception)
                {
                    // The reader ends with the connection (a reset, a closed socket, the cancellation above).
                }

                // What was read and not written on is dropped with the connection.
                while (queue.Reader.TryRead(out var dropped))
                {
                    proxy.Queued(-1);
                    System.Buffers.ArrayPool<byte>.Shared.Return(dropped.Bytes);
                }
            }
        }

        private void CancelPumps()
        {
            try
            {
                _pumps.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Closed already.
            }
        }

        private static void Abortive(Socket socket)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0); // close with a RST, not a FIN
                socket.Close();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
