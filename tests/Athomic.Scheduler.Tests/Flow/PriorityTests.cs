using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>Priority: among due tasks that compete for a worker, higher priorities are claimed first; waiting ages a task.</summary>
[Collection(RedisCollection.Name)]
public sealed class PriorityTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 4)]
    [InlineData(true, 1)]
    public async Task Higher_priorities_are_claimed_first_and_a_long_overdue_task_goes_before_them(bool streams, int partitions)
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        void Configure(SchedulerOptions o)
        {
            o.Partitions = partitions;
            o.Execution.MaxConcurrency = 1;
            o.Worker.BatchSize = 2;
        }

        using var client = Hosts.Redis(redis.Connection, prefix, registry, o => { Configure(o); o.Worker.Enabled = false; }, streams);
        var scheduler = client.Services.GetRequiredService<IScheduler>();

        // 100 ordinary tasks due first, then 5 of priority 10 due a moment later, then one ordinary task 30 s overdue
        // (its effective priority, 0 + 30 s overdue, beats 10 + about 0).
        var now = DateTimeOffset.UtcNow;
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 100).Select(i => ScheduleRequest.At(new GenericTask(RecordingRegistry.Record, default, "low-" + i), now.AddSeconds(-2)))]);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 5).Select(i => ScheduleRequest.At(new GenericTask(RecordingRegistry.Record, default, "high-" + i) { Priority = 10 }, now.AddSeconds(-1)))]);
        await scheduler.ScheduleAtAsync(new GenericTask(RecordingRegistry.Record, default, "ancient"), now.AddSeconds(-30));

        using var worker = Hosts.Redis(redis.Connection, prefix, registry, Configure, streams);
        await worker.StartAsync();
        await registry.WhenDistinctRuns(106, Timeout);
        await worker.StopAsync();

        // Priority orders each partition's claims; a sweep takes a batch (2) from each partition in turn, so with four
        // partitions the order holds within a round of four batches.
        var order = registry.Contexts.Select(c => c.TaskId).ToList();
        var round = partitions == 1 ? 1 : 4 * 2;
        Assert.True(order.IndexOf("ancient") < round, $"the long overdue task ran as run {order.IndexOf("ancient")}: {string.Join(", ", order.Take(12))}");
        var lastHigh = order.FindLastIndex(id => id.StartsWith("high-", StringComparison.Ordinal));
        Assert.True(lastHigh <= 8 * Math.Max(1, round / 2), $"the last priority-10 task ran as run {lastHigh} of 106: {string.Join(", ", order.Take(20))}");
        Assert.Equal(106, registry.TotalRuns);
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }
}
