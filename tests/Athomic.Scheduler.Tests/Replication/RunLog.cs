using System.Collections.Concurrent;
using System.Diagnostics;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>Records when each task first ran, and how many runs repeated one.</summary>
internal sealed class RunLog : IScheduledHandlerRegistry
{
    private readonly ConcurrentDictionary<string, TimeSpan> _firstRun = new(StringComparer.Ordinal);
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private readonly object _gate = new();
    private int _repeats;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public const string Handler = "replication.run";

    public RunLog() => Handlers = [new ScheduledHandlerDescriptor(Handler, "Tests.Replication", null, (ctx, _, _) => { Record(ctx.TaskId); return ValueTask.CompletedTask; })];

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    public int Count => _firstRun.Count;

    public int Repeats => _repeats;

    public bool Ran(string id) => _firstRun.ContainsKey(id);

    /// <summary>Time on this log's clock.</summary>
    public TimeSpan Now => _since.Elapsed;

    /// <summary>How long after <paramref name="start"/> (on <see cref="Now"/>'s clock) the first task ran.</summary>
    public TimeSpan? FirstRunAfter(TimeSpan start)
    {
        var after = _firstRun.Values.Where(t => t > start).ToList();
        return after.Count == 0 ? null : after.Min() - start;
    }

    public async Task WhenRan(IReadOnlyCollection<string> ids, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            var missing = ids.Count(id => !_firstRun.ContainsKey(id));
            if (missing == 0)
            {
                return;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{missing} of {ids.Count} tasks did not run within {timeout.TotalSeconds:F0} s, e.g. {string.Join(", ", ids.Where(id => !_firstRun.ContainsKey(id)).Take(5))}.");
            }
        }
    }

    private void Record(string id)
    {
        if (!_firstRun.TryAdd(id, _since.Elapsed))
        {
            Interlocked.Increment(ref _repeats);
        }

        lock (_gate)
        {
            var changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }
    }
}
