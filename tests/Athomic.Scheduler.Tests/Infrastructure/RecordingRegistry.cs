using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>
/// A hand-written handler registry (the generator writes these in real apps) whose handlers record every run,
/// so tests can await "N distinct tasks ran" and count duplicates.
/// </summary>
public sealed class RecordingRegistry : IScheduledHandlerRegistry
{
    public const string Record = "test.record";
    public const string Fail = "test.fail";
    public const string Slow = "test.slow";
    public const string Flaky = "test.flaky";
    public const string Typed = "test.typed";

    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<TaskContext> _contexts = new();
    private readonly object _gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = new();

    /// <param name="failAttempts">How many attempts of a <see cref="Fail"/> task fail.</param>
    /// <param name="recordRecurring">A static (<c>[Recurring]</c>) schedule of the <see cref="Record"/> handler.</param>
    public RecordingRegistry(int failAttempts = int.MaxValue, StaticRecurringSchedule? recordRecurring = null)
    {
        Handlers =
        [
            new ScheduledHandlerDescriptor(Record, "Tests.Record", "System.String", (ctx, _, _) => { Ran(ctx); return ValueTask.CompletedTask; }) { Recurring = recordRecurring },
            new ScheduledHandlerDescriptor(Fail, "Tests.Fail", null, (ctx, _, _) =>
            {
                if (ctx.Attempt <= failAttempts)
                {
                    throw new InvalidOperationException($"boom on attempt {ctx.Attempt}");
                }

                Ran(ctx);
                return ValueTask.CompletedTask;
            }, maxAttempts: 3),
            new ScheduledHandlerDescriptor(Slow, "Tests.Slow", null, async (ctx, _, ct) =>
            {
                SlowStarted.TrySetResult();
                await SlowGate.Task.WaitAsync(ct);
                Ran(ctx);
            }),
            new ScheduledHandlerDescriptor(Flaky, "Tests.Flaky", null, (ctx, _, _) =>
            {
                if (Broken)
                {
                    throw new InvalidOperationException("broken for now");
                }

                Ran(ctx);
                return ValueTask.CompletedTask;
            }, maxAttempts: 2),
            new ScheduledHandlerDescriptor(Typed, "Tests.Typed", "System.String", (ctx, _, _) =>
            {
                Athomic.Scheduler.Tests.Shared.TestPayloads.Deserialize<string>(ctx.Payload);
                Ran(ctx);
                return ValueTask.CompletedTask;
            }),
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    /// <summary>Released by a test to let <see cref="Slow"/> handlers finish.</summary>
    public TaskCompletionSource SlowGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a <see cref="Slow"/> handler has started.</summary>
    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>While set, <see cref="Flaky"/> handlers throw.</summary>
    public volatile bool Broken;

    public int DistinctRuns => _runs.Count;

    public int TotalRuns => _runs.Values.Sum();

    public IReadOnlyDictionary<string, int> Runs => _runs;

    public IEnumerable<TaskContext> Contexts => _contexts;

    /// <summary>Completes when at least <paramref name="count"/> distinct tasks have run.</summary>
    public Task WhenDistinctRuns(int count, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_runs.Count >= count)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, tcs));
            return tcs.Task.WaitAsync(timeout);
        }
    }

    private void Ran(TaskContext ctx)
    {
        _contexts.Enqueue(ctx);
        lock (_gate)
        {
            _runs.AddOrUpdate(ctx.TaskId, 1, (_, n) => n + 1);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_runs.Count >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
