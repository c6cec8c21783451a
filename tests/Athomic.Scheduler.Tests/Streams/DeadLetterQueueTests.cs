using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>The public dead-letter API from DI, on a host running the streams broker.</summary>
[Collection(RedisCollection.Name)]
public sealed class DeadLetterQueueTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dead_letters_are_listed_inspected_requeued_as_a_first_attempt_and_purged()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry { Broken = true };
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.RedisStreams(redis.Connection, prefix, registry);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var dead = host.Services.GetRequiredService<IDeadLetterQueue>();
        foreach (var id in new[] { "f1", "f2", "f3" })
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Flaky, new byte[] { 42 }, id), TimeSpan.Zero);
        }

        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 3, Timeout);
        var first = await dead.ListAsync(0, 2);
        var second = await dead.ListAsync(2, 2);
        var f1 = await dead.GetAsync("f1");

        Assert.Equal(3, first.Total);
        Assert.Equal(2, first.Items.Count);
        Assert.Equal(["f1", "f2", "f3"], first.Items.Concat(second.Items).Select(l => l.TaskId).Order());
        Assert.Equal(2, f1!.Attempts);
        Assert.Contains("broken for now", f1.Reason);
        Assert.Equal(new byte[] { 42 }, f1.TryReadTask()!.Payload.ToArray());
        Assert.True(f1.FailedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

        registry.Broken = false;
        Assert.Equal(DeadLetterRequeueResult.Requeued, await dead.RequeueAsync("f1"));
        await registry.WhenDistinctRuns(1, Timeout);
        Assert.Equal(1, Assert.Single(registry.Contexts).Attempt);
        Assert.Null(await dead.GetAsync("f1"));
        Assert.Equal(DeadLetterRequeueResult.NotFound, await dead.RequeueAsync("f1"));

        Assert.True(await dead.PurgeAsync("f2"));
        Assert.False(await dead.PurgeAsync("f2"));
        Assert.Equal(1, await dead.PurgeAllAsync());
        Assert.Equal(0, (await dead.ListAsync()).Total);
        await host.StopAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => dead.ListAsync(0, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => dead.GetAsync("bad id"));
    }

    [Fact]
    public async Task An_unreadable_dead_letter_is_requeued_byte_for_byte()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new RecordingRegistry(), o => o.Worker.Enabled = false);
        var store = new Redis.RedisScheduleStore(new Redis.RedisSchedule(redis.Connection, prefix));
        var dead = host.Services.GetRequiredService<IDeadLetterQueue>();
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync("{" + prefix + "}:tasks", "future", new byte[] { 0x93, 0x02, 0x00 }); // "written by a newer version"
        await db.SortedSetAddAsync("{" + prefix + "}:pending", "future", 0);
        var claimed = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);
        await store.DeadLetterAsync(claimed.Claim, new DeadLetter("future", claimed.Envelope, "Unreadable envelope", 0, DateTimeOffset.UtcNow).Encode(), default);

        Assert.Equal(DeadLetterRequeueResult.Requeued, await dead.RequeueAsync("future", TimeSpan.FromHours(1)));

        var stored = await store.GetAsync("future", default);
        Assert.Equal(new byte[] { 0x93, 0x02, 0x00 }, stored!.Envelope.ToArray());
        Assert.Equal(ScheduledTaskState.Pending, stored.State);
    }
}
