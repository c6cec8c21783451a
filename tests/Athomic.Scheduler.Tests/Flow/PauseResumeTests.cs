using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// Pause, resume and the handler listing of <see cref="ISchedulerOperations"/> on real Redis with real hosts: paused
/// handlers' due tasks wait (no run, no attempt, no dead letter) and run at once on resume; the listing shows limits,
/// slots in use, starts in the window and waiting tasks; operators see a waiting task at its real due time.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class PauseResumeTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_paused_handlers_due_tasks_wait_unclaimed_and_all_run_when_it_is_resumed(int partitions)
    {
        const int count = 12;
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 2);
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o => o.Partitions = partitions);
        var operations = host.Services.GetRequiredService<ISchedulerOperations>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await host.StartAsync();

        await operations.PauseHandlerAsync(FlowRegistry.Limited);
        var due = DateTimeOffset.UtcNow.AddSeconds(-30);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, count).Select(i => ScheduleRequest.At(new GenericTask(FlowRegistry.Limited, default, $"p-{i:D2}"), due))]);
        await Eventually.TrueAsync(async () => (await LimitedAsync(operations)).Waiting == count, Timeout, "every due task waits");

        var paused = await LimitedAsync(operations);
        Assert.True(paused.IsPaused);
        Assert.Equal(2, paused.MaxConcurrency);
        Assert.Equal(0, paused.SlotsInUse);
        Assert.Empty(registry.Starts);
        Assert.Equal(0, (await host.Services.GetRequiredService<IDeadLetterQueue>().ListAsync()).Total);

        // Operators see each waiting task pending at its real due time, with its first attempt, marked as waiting;
        // the listing pages through them (the cursor keeps the stored order).
        var listed = await Operations.OperationsContract.ListAllAsync(operations, new TaskQuery { Limit = 5 });
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"p-{i:D2}"), listed.Select(t => t.TaskId));
        Assert.All(listed, t =>
        {
            Assert.True(t.IsWaiting);
            Assert.Equal(due.ToUnixTimeMilliseconds(), t.DueAt!.Value.ToUnixTimeMilliseconds());
            Assert.Equal(1, t.Attempt);
        });
        var one = await operations.GetTaskAsync("p-03");
        Assert.True(one!.Summary.IsWaiting);
        Assert.Equal(due.ToUnixTimeMilliseconds(), one.Summary.DueAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(due.ToUnixTimeMilliseconds(), (await scheduler.GetAsync("p-03"))!.Task.DueAt!.Value.ToUnixTimeMilliseconds());

        // Counts stay readable: the tasks are pending, and a paused handler does not make the schedule late.
        var counts = await operations.GetCountsAsync();
        Assert.Equal(count, counts.Sum(c => c.Pending));
        Assert.All(counts, c => Assert.Null(c.NextDueAt));

        // "Run now" of a waiting task leaves it where it is: it is due already.
        Assert.Equal(RunNowStatus.Due, await operations.RunNowAsync("p-03"));
        Assert.Equal(count, (await LimitedAsync(operations)).Waiting);

        await operations.ResumeHandlerAsync(FlowRegistry.Limited);
        await registry.WhenRuns(FlowRegistry.Limited, count, Timeout);

        Assert.Equal(count, registry.Runs.Count);
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.True(registry.MaxRunning(FlowRegistry.Limited) <= 2);
        var resumed = await LimitedAsync(operations);
        Assert.False(resumed.IsPaused);
        Assert.Equal(0, resumed.Waiting);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_run_already_started_when_the_pause_came_finishes_and_the_rest_wait_for_the_resume()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 1) { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        var operations = host.Services.GetRequiredService<ISchedulerOperations>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 3).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Limited, default, $"r-{i}"), TimeSpan.Zero))]);
        await host.StartAsync();
        await registry.When(() => registry.Running(FlowRegistry.Limited) == 1, Timeout);

        await operations.PauseHandlerAsync(FlowRegistry.Limited);
        var during = await LimitedAsync(operations);
        Assert.True(during.IsPaused);
        Assert.Equal(1, during.SlotsInUse);

        // The started run finishes; its freed slot goes to no one while the handler is paused.
        registry.Hold.SetResult();
        await registry.WhenRuns(FlowRegistry.Limited, 1, Timeout);
        await Eventually.TrueAsync(async () => await LimitedAsync(operations) is { SlotsInUse: 0, Waiting: 2 }, Timeout, "the slot is free and two tasks wait");
        Assert.Single(registry.Starts);

        await operations.ResumeHandlerAsync(FlowRegistry.Limited);
        await registry.WhenRuns(FlowRegistry.Limited, 3, Timeout);
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.Equal(1, registry.MaxRunning(FlowRegistry.Limited));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_handler_no_host_knows_yet_can_be_paused_and_the_pause_holds_for_a_host_that_registers_it_later()
    {
        var prefix = RedisFixture.NewPrefix();
        await using var client = Client(prefix);
        var operations = client.GetRequiredService<ISchedulerOperations>();

        // flow.free declares no limit, and no host runs yet: only the pause lists it.
        await operations.PauseHandlerAsync(FlowRegistry.Free);
        var listed = Assert.Single(await operations.ListHandlersAsync());
        Assert.Equal(new HandlerFlowInfo(FlowRegistry.Free, 0, 0, 0, null, null, 0, IsPaused: true, 0, 0, 0), listed);
        await client.GetRequiredService<IScheduler>().ScheduleManyAsync([.. Enumerable.Range(0, 5).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Free, default, $"f-{i}"), TimeSpan.Zero))]);

        var registry = new FlowRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        await host.StartAsync();
        await Eventually.TrueAsync(async () => (await operations.ListHandlersAsync()).Single(h => h.Handler == FlowRegistry.Free).Waiting == 5, Timeout, "the host holds the paused handler's tasks back");
        Assert.Empty(registry.Starts);

        await operations.ResumeHandlerAsync(FlowRegistry.Free);
        await registry.WhenRuns(FlowRegistry.Free, 5, Timeout);
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_listing_shows_each_limited_handlers_limits_slots_in_use_starts_in_the_window_and_waiting_tasks()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(maxConcurrency: 2, perKey: 1, rate: 5, window: TimeSpan.FromMinutes(10)) { Hold = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        var operations = host.Services.GetRequiredService<ISchedulerOperations>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([
            .. Enumerable.Range(0, 5).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Limited, default, $"l-{i}"), TimeSpan.Zero)),
            .. Enumerable.Range(0, 2).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Rated, default, $"q-{i}"), TimeSpan.Zero)),
        ]);
        await host.StartAsync();
        await registry.When(() => registry.Running(FlowRegistry.Limited) == 2 && registry.Running(FlowRegistry.Rated) == 2, Timeout);
        await Eventually.TrueAsync(async () => (await LimitedAsync(operations)).Waiting == 3, Timeout, "three limited tasks wait");

        var handlers = await operations.ListHandlersAsync();

        Assert.Equal([FlowRegistry.Limited, FlowRegistry.PerKey, FlowRegistry.Rated], handlers.Select(h => h.Handler));
        Assert.Equal(new HandlerFlowInfo(FlowRegistry.Limited, 2, 0, 0, null, null, 0, IsPaused: false, SlotsInUse: 2, StartsInWindow: 0, Waiting: 3), handlers[0]);
        Assert.Equal(new HandlerFlowInfo(FlowRegistry.PerKey, 0, 1, 0, null, null, 0, IsPaused: false, SlotsInUse: 0, StartsInWindow: 0, Waiting: 0), handlers[1]);
        Assert.Equal(new HandlerFlowInfo(FlowRegistry.Rated, 0, 0, 5, TimeSpan.FromMinutes(10), null, 0, IsPaused: false, SlotsInUse: 0, StartsInWindow: 2, Waiting: 0), handlers[2]);

        registry.Hold.SetResult();
        await registry.WhenRuns(FlowRegistry.Limited, 5, Timeout);
        await Eventually.TrueAsync(async () => await LimitedAsync(operations) is { SlotsInUse: 0, Waiting: 0 }, Timeout, "every slot is free again");
        await host.StopAsync();
    }

    [Fact]
    public async Task A_bad_handler_name_is_an_argument_error_and_a_store_without_flow_control_says_it_does_not_support_it()
    {
        await using var client = Client(RedisFixture.NewPrefix());
        var operations = client.GetRequiredService<ISchedulerOperations>();
        await Assert.ThrowsAsync<ArgumentException>(() => operations.PauseHandlerAsync("two words"));
        await Assert.ThrowsAsync<ArgumentException>(() => operations.ResumeHandlerAsync(""));

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAthomicScheduler().UseInMemoryStore();
        await using var memory = services.BuildServiceProvider();
        var inMemory = memory.GetRequiredService<ISchedulerOperations>();
        var pause = await Assert.ThrowsAsync<NotSupportedException>(() => inMemory.PauseHandlerAsync("email.send"));
        Assert.Contains("Redis store", pause.Message);
        await Assert.ThrowsAsync<NotSupportedException>(() => inMemory.ResumeHandlerAsync("email.send"));
        await Assert.ThrowsAsync<NotSupportedException>(() => inMemory.ListHandlersAsync());
    }

    private static async Task<HandlerFlowInfo> LimitedAsync(ISchedulerOperations operations) =>
        (await operations.ListHandlersAsync()).Single(h => h.Handler == FlowRegistry.Limited);

    /// <summary>Services over the schedule with no worker: what an operator's process (a dashboard, the tool) has.</summary>
    private ServiceProvider Client(string prefix)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAthomicScheduler(o =>
        {
            o.KeyPrefix = prefix;
            o.Worker.Enabled = false;
        }).UseRedis(_ => redis.Connection);
        return services.BuildServiceProvider();
    }
}
