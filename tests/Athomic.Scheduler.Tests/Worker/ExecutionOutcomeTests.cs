using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

[Collection(RedisCollection.Name)]
public sealed class ExecutionOutcomeTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Failing_handler_is_retried_with_the_next_attempt_and_then_succeeds()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry(failAttempts: 1);
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        await host.StartAsync();

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Fail, default, "flaky"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout);
        await host.StopAsync();

        Assert.Equal(2, Assert.Single(registry.Contexts).Attempt);
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Handler_failing_every_attempt_is_dead_lettered_with_its_payload_and_reason()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        await host.StartAsync();
        var (store, _, deadLetters) = RedisStores.Create(redis.Connection, prefix);
        using var metrics = new MetricWaiter(prefix);

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Fail, new byte[] { 9 }, "doomed"), TimeSpan.Zero);
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, Timeout);
        var letter = Assert.Single(await DeadLettersAsync(deadLetters));
        await host.StopAsync();

        Assert.Equal("doomed", letter.TaskId);
        Assert.Equal(3, letter.Attempts);
        Assert.Contains("boom on attempt 3", letter.Reason);
        Assert.Equal(new byte[] { 9 }, letter.TryReadTask()!.Payload.ToArray());
        Assert.Equal(0, registry.TotalRuns);
        Assert.Equal(2, metrics.Total(SchedulerMetrics.Retried));
        Assert.Null(await store.GetAsync("doomed", default));
    }

    [Fact]
    public async Task Task_for_an_unknown_handler_is_dead_lettered_not_dropped()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new RecordingRegistry());
        await host.StartAsync();
        var store = new RedisDeadLetterStore(new RedisSchedule(redis.Connection, prefix));
        using var metrics = new MetricWaiter(prefix);

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask("no.such.handler", default, "orphan"), TimeSpan.Zero);
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, Timeout);
        var letter = Assert.Single(await DeadLettersAsync(store));
        await host.StopAsync();

        Assert.Equal("orphan", letter.TaskId);
        Assert.Contains("No handler named 'no.such.handler'", letter.Reason);
    }

    [Fact]
    public async Task Corrupt_envelope_written_straight_into_Redis_is_dead_lettered_and_good_tasks_still_run()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync("{" + prefix + "}:tasks", "garbage", new byte[] { 0xC1, 0x00, 0xFF });
        await db.SortedSetAddAsync("{" + prefix + "}:pending", "garbage", 0);
        await db.SortedSetAddAsync("{" + prefix + "}:pending", "no-details", 0);
        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "good"), TimeSpan.Zero);

        using var metrics = new MetricWaiter(prefix);
        await host.StartAsync();
        await registry.WhenDistinctRuns(1, Timeout);
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 2, Timeout);
        var letters = await DeadLettersAsync(new RedisDeadLetterStore(new RedisSchedule(redis.Connection, prefix)));
        await host.StopAsync();

        Assert.Equal(["garbage", "no-details"], letters.Select(l => l.TaskId).Order());
        Assert.Contains(letters, l => l.Reason.Contains("Unreadable envelope", StringComparison.Ordinal) && l.Envelope.ToArray().SequenceEqual(new byte[] { 0xC1, 0x00, 0xFF }));
        Assert.Contains(letters, l => l.Reason.Contains("details are missing", StringComparison.Ordinal));
        Assert.Equal("good", Assert.Single(registry.Contexts).TaskId);
    }

    private static async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(IDeadLetterStore store) => await store.GetDeadLettersAsync(10, default);
}
