using System.Diagnostics;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>
/// Tests of what happens when nobody listens to the scheduler's traces. Listeners are process-wide, so these run
/// alone, after the parallel tests (whose span recorders are disposed by then), on their own redis-server; a listener
/// still active then is a leak that fails them, rather than a reason to skip the check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NoListenerCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "no listener";

    /// <summary>Fails when any listener is attached to the scheduler's source.</summary>
    public static void AssertNobodyListens() =>
        Assert.False(SchedulerTracing.Source.HasListeners(), "a listener on the scheduler's ActivitySource is active: a test left one behind (disposed no span recorder, tracer provider or host), or ran beside this collection");
}

/// <summary>Without a listener (and without a caller's trace), tracing allocates nothing on the paths every task takes.</summary>
[Collection(NoListenerCollection.Name)]
public sealed class NoListenerTests(RedisFixture redis)
{
    [Fact]
    public void Nothing_is_allocated_for_tracing_without_a_listener_or_a_current_activity()
    {
        NoListenerCollection.AssertNobodyListens();
        Activity.Current = null;
        var task = new GenericTask("h", default, "id").WithExecution(1, DateTimeOffset.UnixEpoch);
        var at = DateTimeOffset.UnixEpoch.AddSeconds(1);
        Run(task, at); // JIT first

        var before = GC.GetAllocatedBytesForCurrentThread();
        var traced = Run(task, at);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(traced, "an activity was started although nobody listens");
        Assert.Equal(0, allocated);
        Assert.Same(task, SchedulerTracing.Propagate(task, null));
    }

    [Fact]
    public async Task Without_a_listener_nothing_is_traced_and_the_envelope_stays_as_before()
    {
        NoListenerCollection.AssertNobodyListens();
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new TracedRegistry(), o => o.Worker.Enabled = false);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        Activity.Current = null;

        var id = await scheduler.ScheduleAsync(new GenericTask(TracedRegistry.Nested, default), TimeSpan.FromHours(1));

        var stored = (byte[])(await redis.Connection.GetDatabase().HashGetAsync("{" + prefix + "}:tasks", id))!;
        Assert.Null(TaskEnvelope.Read(stored).TraceParent);
        Assert.Equal(0x95, stored[0]); // five fields: byte-identical to an envelope of a build without tracing
    }

    private static bool Run(GenericTask task, DateTimeOffset at)
    {
        var traced = false;
        for (var i = 0; i < 1000; i++)
        {
            using var schedule = SchedulerTracing.StartSchedule(task.Handler, task.TaskId, 1);
            _ = SchedulerTracing.Propagate(task, schedule);
            using var process = SchedulerTracing.StartProcess(task, 0, at);
            traced |= schedule is not null || process is not null;
        }

        return traced;
    }
}
