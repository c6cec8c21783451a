using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>
/// A handler registry whose one handler, <see cref="Name"/>, does what its payload says and records every run (task id,
/// version, attempt, start, end) in memory, outside Redis. Payload: <c>"version|workMs|failures|gated"</c>: the run
/// takes workMs, throws on its first <c>failures</c> attempts, and with gated waits for <see cref="Open"/> of its
/// version before it ends.
/// </summary>
public sealed class RunLog : IScheduledHandlerRegistry
{
    public const string Name = "claims.work";

    private readonly ConcurrentQueue<Run> _runs = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _ended = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _succeeded = new(StringComparer.Ordinal);

    public RunLog(int maxAttempts = 3)
    {
        Handlers = [new ScheduledHandlerDescriptor(Name, "Tests.Claims.Work", "System.String", RunAsync, maxAttempts)];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    public IReadOnlyList<Run> Runs => [.. _runs];

    public static GenericTask Task(string id, int version, int workMs = 0, int failures = 0, bool gated = false) =>
        new(Name, Encoding.UTF8.GetBytes($"{version}|{workMs}|{failures}|{(gated ? 1 : 0)}"), id);

    /// <summary>Completes when a run of <paramref name="id"/> version <paramref name="version"/> has started.</summary>
    public Task Started(string id, int version) => Signal(_started, id, version).Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Completes when a run of <paramref name="id"/> version <paramref name="version"/> has ended (returned or thrown).</summary>
    public Task Ended(string id, int version) => Signal(_ended, id, version).Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Completes when a run of <paramref name="id"/> version <paramref name="version"/> has succeeded.</summary>
    public Task Succeeded(string id, int version) => Signal(_succeeded, id, version).Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Whether a run of this version has started.</summary>
    public bool HasStarted(string id, int version) => Signal(_started, id, version).Task.IsCompleted;

    /// <summary>Lets the gated runs of this version end.</summary>
    public void Open(string id, int version) => Signal(_gates, id, version).TrySetResult();

    /// <summary>Pairs of runs of one id that overlapped in time.</summary>
    public IEnumerable<(Run A, Run B)> Overlaps() =>
        from a in Runs
        from b in Runs
        where a.TaskId == b.TaskId && a.Seq < b.Seq && a.Start < b.End && b.Start < a.End
        select (a, b);

    private static TaskCompletionSource Signal(ConcurrentDictionary<string, TaskCompletionSource> map, string id, int version) =>
        map.GetOrAdd(id + "#" + version, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private int _seq;

    private async ValueTask RunAsync(TaskContext ctx, IServiceProvider services, CancellationToken ct)
    {
        var parts = Encoding.UTF8.GetString(ctx.Payload.Span).Split('|');
        var (version, workMs, failures, gated) = (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]), parts[3] == "1");
        var start = Stopwatch.GetTimestamp();
        var seq = Interlocked.Increment(ref _seq);
        Signal(_started, ctx.TaskId, version).TrySetResult();
        var failed = ctx.Attempt <= failures;
        try
        {
            if (workMs > 0)
            {
                await System.Threading.Tasks.Task.Delay(workMs, ct); // the handler's work, not a synchronisation
            }

            if (gated)
            {
                await Signal(_gates, ctx.TaskId, version).Task.WaitAsync(ct);
            }

            if (failed)
            {
                throw new InvalidOperationException($"{ctx.TaskId} v{version} fails attempt {ctx.Attempt}");
            }
        }
        finally
        {
            _runs.Enqueue(new Run(seq, ctx.TaskId, version, ctx.Attempt, start, Stopwatch.GetTimestamp(), !failed));
            Signal(_ended, ctx.TaskId, version).TrySetResult();
            if (!failed)
            {
                Signal(_succeeded, ctx.TaskId, version).TrySetResult();
            }
        }
    }

    /// <summary>One handler run.</summary>
    public sealed record Run(int Seq, string TaskId, int Version, int Attempt, long Start, long End, bool Succeeded);
}
