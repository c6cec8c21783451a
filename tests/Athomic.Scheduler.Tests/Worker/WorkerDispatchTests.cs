using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

[Collection(RedisCollection.Name)]
public sealed class WorkerDispatchTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Scheduled_task_runs_through_the_worker_with_its_context()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        var id = await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 1, 2, 3 }), TimeSpan.FromMilliseconds(100));
        await registry.WhenDistinctRuns(1, Timeout);
        await host.StopAsync();

        var ctx = Assert.Single(registry.Contexts);
        Assert.Equal(id, ctx.TaskId);
        Assert.Equal(1, ctx.Attempt);
        Assert.Equal(new byte[] { 1, 2, 3 }, ctx.Payload.ToArray());
        Assert.True(ctx.StartedAt >= ctx.DueAt, "a task never starts before it is due");
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Three_workers_racing_over_10000_due_tasks_run_each_exactly_once()
    {
        const int count = 10_000;
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        var hosts = Enumerable.Range(0, 3).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, o => o.Worker.BatchSize = 100)).ToList();
        var scheduler = hosts[0].Services.GetRequiredService<IScheduler>();
        var requests = Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "race-" + i), TimeSpan.Zero)).ToList();
        await scheduler.ScheduleManyAsync(requests);

        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await registry.WhenDistinctRuns(count, Timeout);
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.Equal(count, registry.DistinctRuns);
        Assert.Equal(count, registry.TotalRuns);
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Task_claimed_by_a_worker_that_died_runs_elsewhere_after_the_lease_expires()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o => o.Worker.Enabled = false);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var id = await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.Zero);

        // A worker claims the task, then dies before handing it to its broker: its lease is abandoned.
        var deadWorker = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        var lease = TimeSpan.FromMilliseconds(500);
        var claimed = await deadWorker.ClaimAsync(10, lease, default);
        var claimedAt = DateTimeOffset.FromUnixTimeMilliseconds(claimed.NowMilliseconds);
        Assert.Equal(id, Assert.Single(claimed.Tasks).TaskId);

        using var survivor = Hosts.Redis(redis.Connection, prefix, registry);
        await survivor.StartAsync();
        await registry.WhenDistinctRuns(1, Timeout);
        await survivor.StopAsync();

        var ctx = Assert.Single(registry.Contexts);
        Assert.Equal(id, ctx.TaskId);
        Assert.True(ctx.StartedAt >= claimedAt + lease, "the task is reclaimed only after its lease expired");
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task A_task_whose_workers_keep_dying_is_dead_lettered_after_max_deliveries()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o => o.Execution.MaxDeliveries = 3);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.Zero, "poison");

        // Three workers in turn claim it and die with it (its handler takes the process down): three expired leases.
        var deadWorker = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        var lease = TimeSpan.FromMilliseconds(100);
        for (var i = 0; i < 3; i++)
        {
            await Eventually.TrueAsync(async () => (await deadWorker.ClaimAsync(10, lease, default)).Tasks.Count == 1, Timeout, $"claim {i + 1} of the poison task");
        }

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.Zero, "survivor");
        await PoisonRun.AssertPoisonDeadLetteredAsync(host, registry, metrics, Timeout);
    }

    [Fact]
    public async Task Live_long_running_handler_keeps_its_lease_and_runs_once()
    {
        // A 2 s lease (renewed every third of it): 1 s left a starved renewal on two loaded cores no slack at all.
        var lease = TimeSpan.FromSeconds(2);
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        void Short(SchedulerOptions o) => o.Worker.LeaseDuration = lease;
        using var metrics = new MetricWaiter(prefix);
        await using var connection = await Claims.ClaimHosts.ConnectAsync(redis); // timeouts of at most half the lease
        using var first = Hosts.Redis(connection, prefix, registry, Short);
        using var second = Hosts.Redis(connection, prefix, registry, Short);
        await first.StartAsync();
        await second.StartAsync();
        var scheduler = first.Services.GetRequiredService<IScheduler>();
        var id = await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Slow, default), TimeSpan.Zero);

        // The handler holds: its lease deadline (the in-flight score, on the server's clock) must be renewed until it
        // lies two leases past the first one, so the first lease and a renewed one have both run out meanwhile; then
        // the other worker polls three more times, each a chance to take over a lease that was not renewed.
        await registry.SlowStarted.Task.WaitAsync(Timeout);
        var inflight = redis.Connection.GetDatabase();
        var firstDeadline = (await inflight.SortedSetScoreAsync("{" + prefix + "}:inflight", id))!.Value;
        await Eventually.TrueAsync(
            async () => await inflight.SortedSetScoreAsync("{" + prefix + "}:inflight", id) >= firstDeadline + (2 * lease.TotalMilliseconds),
            Timeout,
            "the lease was renewed two lease durations past its first deadline");
        await second.PolledAsync(3);
        Assert.Equal(ScheduledTaskState.InFlight, (await first.Services.GetRequiredService<IScheduler>().GetAsync(id))!.State);
        registry.SlowGate.SetResult();
        await registry.WhenDistinctRuns(1, Timeout);
        await first.StopAsync();
        await second.StopAsync();

        Assert.Equal(1, registry.TotalRuns);
        Assert.Equal(1, metrics.Total(SchedulerMetrics.Claimed));
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }
}
