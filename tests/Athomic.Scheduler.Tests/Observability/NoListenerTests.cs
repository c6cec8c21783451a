using System.Diagnostics;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>Without a listener (and without a caller's trace), tracing allocates nothing on the paths every task takes.</summary>
public sealed class NoListenerTests
{
    [Fact]
    public void Nothing_is_allocated_for_tracing_without_a_listener_or_a_current_activity()
    {
        Activity.Current = null;
        var task = new GenericTask("h", default, "id").WithExecution(1, DateTimeOffset.UnixEpoch);
        var at = DateTimeOffset.UnixEpoch.AddSeconds(1);
        Run(task, at); // JIT first

        var before = GC.GetAllocatedBytesForCurrentThread();
        var listened = Run(task, at);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Listeners are process-wide: a test of another collection may listen meanwhile; then only Propagate is measured.
        if (!listened)
        {
            Assert.Equal(0, allocated);
        }

        Assert.Same(task, SchedulerTracing.Propagate(task, null));
    }

    private static bool Run(GenericTask task, DateTimeOffset at)
    {
        var listened = SchedulerTracing.Source.HasListeners();
        for (var i = 0; i < 1000; i++)
        {
            using var schedule = SchedulerTracing.StartSchedule(task.Handler, task.TaskId, 1);
            _ = SchedulerTracing.Propagate(task, schedule);
            using var process = SchedulerTracing.StartProcess(task, 0, at);
            listened |= schedule is not null || process is not null;
        }

        return listened || SchedulerTracing.Source.HasListeners();
    }
}
