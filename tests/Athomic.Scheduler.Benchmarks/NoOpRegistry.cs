using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>One no-op handler that records its lateness and signals when a target count is reached.</summary>
internal sealed class NoOpRegistry : IScheduledHandlerRegistry
{
    public const string Name = "bench.noop";
    private readonly object _gate = new();
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NoOpRegistry()
    {
        Handlers = [new ScheduledHandlerDescriptor(Name, "Bench.NoOp", null, Run)];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    public List<double> LatenessMs { get; } = new();

    public Task Expect(int count)
    {
        lock (_gate)
        {
            _count = 0;
            _target = count;
            LatenessMs.Clear();
            _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _done.Task;
        }
    }

    private ValueTask Run(TaskContext ctx, IServiceProvider services, CancellationToken ct)
    {
        lock (_gate)
        {
            LatenessMs.Add((ctx.StartedAt - ctx.DueAt!.Value).TotalMilliseconds);
            if (++_count >= _target)
            {
                _done.TrySetResult();
            }
        }

        return ValueTask.CompletedTask;
    }
}
