using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>Cluster-wide concurrency limits on real Redis, with several hosts and partitions racing.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConcurrencyLimitTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    public async Task MaxConcurrency_holds_across_three_hosts_and_every_task_runs_once_without_using_an_attempt(int partitions, bool streams)
    {
        const int count = 60;
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 2);
        var hosts = Enumerable.Range(0, 3).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, o => o.Partitions = partitions, streams)).ToList();
        var scheduler = hosts[0].Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Limited, default, "lim-" + i), TimeSpan.Zero))]);

        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await registry.WhenRuns(FlowRegistry.Limited, count, Timeout);
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.Equal(2, registry.MaxRunning(FlowRegistry.Limited));
        Assert.Equal(count, registry.Runs.Count);
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }

    [Fact]
    public async Task A_limited_handler_with_a_deep_backlog_never_holds_up_an_unlimited_one()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 1) { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o => o.Worker.BatchSize = 50);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 500).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Limited, default, "deep-" + i), TimeSpan.Zero))]);
        await host.StartAsync();
        await registry.When(() => registry.Running(FlowRegistry.Limited) == 1, Timeout);

        // 499 due tasks of the limited handler wait; a task of another handler scheduled behind them runs at once.
        await scheduler.ScheduleAsync(new GenericTask(FlowRegistry.Free, default, "free-1"), TimeSpan.Zero);
        await registry.WhenRuns(FlowRegistry.Free, 1, Timeout);
        Assert.Equal(1, registry.Running(FlowRegistry.Limited));
        Assert.Equal(0, registry.Runs.Keys.Count(k => k.StartsWith(FlowRegistry.Limited, StringComparison.Ordinal)));

        // The waiting tasks are pending at their due time, with no attempt used.
        var waiting = await scheduler.GetAsync("deep-499");
        Assert.NotNull(waiting);

        registry.Hold.SetResult();
        await registry.WhenRuns(FlowRegistry.Limited, 500, Timeout);
        await host.StopAsync();
        Assert.Equal(1, registry.MaxRunning(FlowRegistry.Limited));
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tasks_another_worker_made_wait_run_without_a_notification_when_that_worker_is_gone(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 2);
        using var host = Hosts.Redis(redis.Connection, prefix, registry, streams: streams);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        // This host is up and has polled (and looked at the limited handler's waiting tasks: none) before they exist.
        await scheduler.ScheduleAsync(new GenericTask(FlowRegistry.Free, default, "first"), TimeSpan.Zero);
        await registry.WhenRuns(FlowRegistry.Free, 1, Timeout);
        await scheduler.ScheduleAsync(new GenericTask(FlowRegistry.Free, default, "second"), TimeSpan.Zero);
        await registry.WhenRuns(FlowRegistry.Free, 2, Timeout);

        // Another worker made three due tasks wait (as park.lua leaves them) and died: no slot frees, nothing is
        // published, and this host never saw them wait.
        var db = redis.Connection.GetDatabase();
        var tag = "{" + prefix + "}";
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 0; i < 3; i++)
        {
            var id = "orphan-" + i;
            await scheduler.ScheduleAsync(new GenericTask(FlowRegistry.Limited, default, id), TimeSpan.FromHours(1));
            var member = Athomic.Scheduler.Redis.RedisKeys.ParkedMember(FlowRegistry.Limited, string.Empty, now, id);
            await db.SortedSetAddAsync(tag + ":pending", id, Athomic.Scheduler.Redis.RedisKeys.ParkedScoreOffset + now);
            await db.SortedSetAddAsync(tag + ":parked", member, 0);
            await db.HashSetAsync(tag + ":parked:by", id, member);
        }

        await registry.WhenRuns(FlowRegistry.Limited, 3, Timeout);
        await host.StopAsync();
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }

    [Fact]
    public async Task Recurring_occurrences_respect_the_limit_and_each_runs_once_after_waiting()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 1) { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        // One run holds the only slot; a schedule every second meanwhile makes occurrences that must wait their turn.
        await scheduler.ScheduleAsync(new GenericTask(FlowRegistry.Limited, default, "holder"), TimeSpan.Zero);
        await registry.When(() => registry.Running(FlowRegistry.Limited) == 1, Timeout);
        await scheduler.AddOrUpdateRecurringAsync("every-second", new GenericTask(FlowRegistry.Limited, default), RecurringSchedule.Every(TimeSpan.FromSeconds(1)));
        var waiting = host.Services.GetRequiredService<ISchedulerOperations>();
        await Eventually.TrueAsync(
            async () => (await waiting.ListHandlersAsync()).Single(h => h.Handler == FlowRegistry.Limited).Waiting >= 1,
            Timeout,
            "an occurrence waits for the slot");
        Assert.Equal(1, registry.Running(FlowRegistry.Limited));

        registry.Hold.SetResult();
        await registry.When(() => registry.Runs.Keys.Count(k => k.Contains("every-second@", StringComparison.Ordinal)) >= 3, Timeout);
        await scheduler.RemoveRecurringAsync("every-second");
        await host.StopAsync();

        Assert.Equal(1, registry.MaxRunning(FlowRegistry.Limited));
        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value)); // each occurrence id once
    }
}
