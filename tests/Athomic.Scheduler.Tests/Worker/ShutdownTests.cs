using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

[Collection(RedisCollection.Name)]
public sealed class ShutdownTests(RedisFixture redis)
{
    [Fact]
    public async Task Graceful_stop_hands_back_queued_and_unfinished_tasks_at_once()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o =>
        {
            o.Execution.MaxConcurrency = 1; // one running, one queued (the prefetch); the third is not claimed at all
            o.Worker.BatchSize = 10;
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, 3).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Slow, default, "slow-" + i), TimeSpan.Zero)).ToList());
        await metrics.WhenAsync(SchedulerMetrics.Claimed, 2, TimeSpan.FromSeconds(30));

        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await host.StopAsync(shutdownTimeout.Token);

        // The running handler is cancelled when the shutdown timeout fires; its hand-back follows at once.
        await metrics.WhenAsync(SchedulerMetrics.Released, 2, TimeSpan.FromSeconds(10));
        Assert.Equal(0, registry.TotalRuns);
        Assert.Equal(2, metrics.Total(SchedulerMetrics.Claimed));
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Completed));
        for (var i = 0; i < 3; i++)
        {
            var info = await scheduler.GetAsync("slow-" + i);
            Assert.Equal(ScheduledTaskState.Pending, info!.State);
            Assert.True(info.Task.DueAt <= DateTimeOffset.UtcNow, "a handed-back task is due at once");
        }
    }
}
