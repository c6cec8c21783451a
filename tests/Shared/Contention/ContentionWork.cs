using System.Buffers.Binary;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Testing.Contention;

/// <summary>What a contention-harness handler does when it runs (the plan picks one per scheduled version).</summary>
public enum Behaviour
{
    /// <summary>Returns at once.</summary>
    Fast = 0,

    /// <summary>Works <c>Arg</c> ms (longer than LeaseDuration × MaxConcurrency / BatchSize, shorter than the lease).</summary>
    Slow = 1,

    /// <summary>Throws on attempts 1..<c>Arg</c>, then completes.</summary>
    ThrowFirst = 2,

    /// <summary>Throws on every attempt: ends in the dead letters.</summary>
    AlwaysThrow = 3,

    /// <summary>Works <c>Arg</c> ms, longer than the lease (a live handler: its lease must be renewed).</summary>
    Hang = 4,
}

/// <summary>How one handler run ended.</summary>
public enum RunOutcome
{
    /// <summary>The handler returned.</summary>
    Completed = 1,

    /// <summary>The handler threw.</summary>
    Threw = 2,

    /// <summary>The handler was cancelled by its host's stop.</summary>
    Cancelled = 3,
}

/// <summary>The payload of a harness task: the version it belongs to and what its handler does (12 bytes).</summary>
/// <param name="Version">The version of the task id (1, 2, … in schedule order per id).</param>
/// <param name="Behaviour">What the handler does.</param>
/// <param name="Arg">Milliseconds for <see cref="Behaviour.Slow"/>/<see cref="Behaviour.Hang"/>, attempts for <see cref="Behaviour.ThrowFirst"/>.</param>
public readonly record struct ContentionPayload(int Version, Behaviour Behaviour, int Arg)
{
    public byte[] Encode()
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), (int)Behaviour);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), Arg);
        return bytes;
    }

    public static ContentionPayload Decode(ReadOnlySpan<byte> bytes) => bytes.Length != 12
        ? throw new InvalidOperationException($"not a contention payload ({bytes.Length} bytes)")
        : new(BinaryPrimitives.ReadInt32LittleEndian(bytes), (Behaviour)BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]));
}

/// <summary>Where the harness handler records each run, outside Redis.</summary>
public interface IRunSink
{
    /// <summary>A run started; returns a token for <see cref="Ended"/>.</summary>
    long Started(string id, int version, int attempt);

    /// <summary>The run ended.</summary>
    void Ended(long token, RunOutcome outcome);
}

/// <summary>
/// The harness's hand-written registry: one handler, <see cref="Name"/>, that records the start and end of every run
/// in an <see cref="IRunSink"/> and behaves as its payload says. Shared by the in-process test hosts and the chaos
/// worker processes.
/// </summary>
public sealed class ContentionRegistry : IScheduledHandlerRegistry
{
    public const string Name = "contention.run";

    /// <summary>The same handler under a cluster-wide limit of <see cref="Limit"/> runs at once (flow control).</summary>
    public const string LimitedName = "contention.limited";

    /// <summary>The concurrency limit of <see cref="LimitedName"/>.</summary>
    public const int Limit = 2;

    /// <summary>Attempts before a throwing version is dead-lettered.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Every fourth id of a plan (<c>c3</c>, <c>c7</c>, …) runs under the limit; the plan itself is unchanged.</summary>
    public static bool IsLimited(string id) => id.Length > 1 && int.TryParse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture, out var n) && n % 4 == 3;

    /// <summary>The handler the tasks of <paramref name="id"/> are scheduled for.</summary>
    public static string HandlerFor(string id) => IsLimited(id) ? LimitedName : Name;

    public ContentionRegistry(IRunSink sink)
    {
        ScheduledHandlerInvoker run = async (ctx, _, ct) =>
            {
                var payload = ContentionPayload.Decode(ctx.Payload.Span);
                var token = sink.Started(ctx.TaskId, payload.Version, ctx.Attempt);
                try
                {
                    switch (payload.Behaviour)
                    {
                        case Behaviour.Slow:
                        case Behaviour.Hang:
                            await Task.Delay(payload.Arg, ct);
                            break;
                        case Behaviour.ThrowFirst when ctx.Attempt <= payload.Arg:
                        case Behaviour.AlwaysThrow:
                            throw new InvalidOperationException($"contention: {ctx.TaskId} v{payload.Version} throws on attempt {ctx.Attempt}");
                        default:
                            await Task.Yield();
                            break;
                    }
                }
                catch (Exception ex)
                {
                    sink.Ended(token, ex is OperationCanceledException ? RunOutcome.Cancelled : RunOutcome.Threw);
                    throw;
                }

                sink.Ended(token, RunOutcome.Completed);
            };
        Handlers =
        [
            new ScheduledHandlerDescriptor(Name, "Contention.Run", null, run, maxAttempts: MaxAttempts),
            new ScheduledHandlerDescriptor(LimitedName, "Contention.Limited", null, run, maxAttempts: MaxAttempts)
            {
                Flow = new HandlerFlowSpec { MaxConcurrency = Limit },
            },
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }
}

/// <summary>
/// A sink that appends one line per run start and end to a file (unbuffered, so a SIGKILL loses nothing written):
/// <c>S seq id version attempt utcTicks</c> and <c>E seq outcome utcTicks</c>.
/// </summary>
public sealed class FileRunSink : IRunSink, IDisposable
{
    private readonly FileStream _file;
    private readonly object _gate = new();
    private long _seq;

    public FileRunSink(string path) =>
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);

    public long Started(string id, int version, int attempt)
    {
        var seq = Interlocked.Increment(ref _seq);
        Write($"S {seq} {id} {version} {attempt} {DateTime.UtcNow.Ticks}\n");
        return seq;
    }

    public void Ended(long token, RunOutcome outcome) => Write($"E {token} {(int)outcome} {DateTime.UtcNow.Ticks}\n");

    private void Write(string line)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            _file.Write(bytes);
            _file.Flush();
        }
    }

    public void Dispose() => _file.Dispose();
}
