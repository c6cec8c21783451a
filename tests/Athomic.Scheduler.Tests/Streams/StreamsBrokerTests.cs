using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

[Collection(RedisCollection.Name)]
public sealed class StreamsBrokerTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task Due_tasks_run_through_the_stream_and_nothing_is_left_behind()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, registry);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleManyAsync(Enumerable.Range(0, 50).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "s" + i), TimeSpan.Zero)).ToList());
        await registry.WhenDistinctRuns(50, Timeout);
        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync(Key(prefix, "stream")) == 0, Timeout, "the stream is empty");
        await host.StopAsync();

        Assert.Equal(50, registry.TotalRuns);
        Assert.Equal(0, (await Db.StreamPendingAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName)).PendingMessageCount);
        Assert.Equal(["stream"], await KeysAsync(prefix)); // the empty stream keeps the consumer group; nothing else remains
        Assert.Empty(await Db.StreamConsumerInfoAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName)); // a stopped consumer leaves
    }

    [Fact]
    public async Task Promote_moves_due_tasks_from_the_schedule_into_the_stream_in_one_step()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, new RecordingRegistry(), o => o.Worker.Enabled = false);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 7 }, "now-1"), TimeSpan.Zero);
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "now-2"), TimeSpan.Zero);
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "later"), TimeSpan.FromHours(1));

        var result = await broker.PromoteDueAsync(100, default);

        Assert.Equal(2, result.Count);
        Assert.InRange(result.NextDueIn!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
        Assert.Equal(2, await Db.StreamLengthAsync(Key(prefix, "stream")));
        Assert.Equal(["later"], (await Db.SortedSetRangeByRankAsync(Key(prefix, "pending"))).Select(v => (string)v!));
        Assert.Equal(["later"], (await Db.HashKeysAsync(Key(prefix, "tasks"))).Select(v => (string)v!));
        var queued = await scheduler.GetAsync("now-1");
        Assert.Equal(ScheduledTaskState.InFlight, queued!.State);
        Assert.Equal(new byte[] { 7 }, queued.Task.Payload.ToArray());
        Assert.False(await scheduler.CancelAsync("now-1"));
    }

    [Fact]
    public async Task Expired_in_flight_leases_are_promoted_into_the_stream()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, new RecordingRegistry(), o => o.Worker.Enabled = false);
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "leased"), TimeSpan.Zero);
        Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMilliseconds(1), default)).Tasks); // a lease-path worker died holding it
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();

        var promoted = 0;
        await Eventually.TrueAsync(async () => (promoted += (await broker.PromoteDueAsync(10, default)).Count) > 0, Timeout, "the expired lease is promoted");

        Assert.Equal(1, promoted);
        Assert.Equal(0, await Db.SortedSetLengthAsync(Key(prefix, "inflight")));
        Assert.Equal(1, await Db.StreamLengthAsync(Key(prefix, "stream")));
    }

    [Fact]
    public async Task Failing_handler_is_retried_through_the_schedule_then_succeeds()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry(failAttempts: 2);
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.RedisStreams(redis.Connection, prefix, registry);
        await host.StartAsync();

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Fail, default, "flaky"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout);
        await host.StopAsync();

        Assert.Equal(3, Assert.Single(registry.Contexts).Attempt);
        Assert.Equal(2, metrics.Total(SchedulerMetrics.Retried));
    }

    [Fact]
    public async Task Exhausted_attempts_and_unknown_handlers_end_in_dead_letters_with_the_reason()
    {
        var prefix = RedisFixture.NewPrefix();
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.RedisStreams(redis.Connection, prefix, new RecordingRegistry(), o => o.Execution.MaxAttempts = 2);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Fail, new byte[] { 1, 2 }, "doomed"), TimeSpan.Zero); // handler allows 3
        await scheduler.ScheduleAsync(new GenericTask("no.such.handler", default, "orphan"), TimeSpan.Zero); // global 2
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 2, Timeout);
        var dead = host.Services.GetRequiredService<IDeadLetterQueue>();
        var doomed = await dead.GetAsync("doomed");
        var orphan = await dead.GetAsync("orphan");
        await host.StopAsync();

        Assert.Equal(3, doomed!.Attempts);
        Assert.Contains("boom on attempt 3", doomed.Reason);
        Assert.Equal(new byte[] { 1, 2 }, doomed.TryReadTask()!.Payload.ToArray());
        Assert.Equal(2, orphan!.Attempts);
        Assert.Contains("No handler named 'no.such.handler'", orphan.Reason);
        Assert.Equal(3, metrics.Total(SchedulerMetrics.Retried));
    }

    [Fact]
    public async Task Entries_of_a_dead_consumer_are_reclaimed_after_the_visibility_timeout()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var connection = await ClaimHosts.ConnectAsync(redis); // a 1 s visibility timeout needs replies within 0.5 s
        using var host = Hosts.RedisStreams(connection, prefix, registry, o => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1));
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await host.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(Enumerable.Range(0, 5).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "orphaned-" + i), TimeSpan.Zero)).ToList());
        Assert.Equal(5, (await broker.PromoteDueAsync(10, default)).Count);
        var stream = Key(prefix, "stream");
        await Db.StreamCreateConsumerGroupAsync(stream, RedisStreamQueue.GroupName, "0-0");
        Assert.Equal(5, (await Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "ghost", ">", 10)).Length); // read, then "died"

        await host.StartAsync();
        await registry.WhenDistinctRuns(5, Timeout);
        await host.StopAsync();

        Assert.Equal(5, metrics.Total(SchedulerMetrics.Reclaimed));
        Assert.Equal(5, registry.TotalRuns);
        Assert.Equal(0, await Db.StreamLengthAsync(stream));
    }

    [Fact]
    public async Task An_entry_whose_consumers_keep_dying_is_dead_lettered_after_max_deliveries()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var connection = await ClaimHosts.ConnectAsync(redis); // a 1 s visibility timeout needs replies within 0.5 s
        using var host = Hosts.RedisStreams(connection, prefix, registry, o =>
        {
            o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1);
            o.Execution.MaxDeliveries = 3;
        });
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([
            ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "poison"), TimeSpan.Zero),
            ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "survivor"), TimeSpan.Zero)]);
        Assert.Equal(2, (await broker.PromoteDueAsync(10, default)).Count);
        var stream = Key(prefix, "stream");
        await Db.StreamCreateConsumerGroupAsync(stream, RedisStreamQueue.GroupName, "0-0");
        var read = await Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "ghost-1", ">", 10);
        var poison = read.Single(e => e["t"] == "poison").Id;

        // Two more consumers took "poison" over and died with it: delivered 3 times, "survivor" once.
        await Db.StreamClaimAsync(stream, RedisStreamQueue.GroupName, "ghost-2", 0, [poison]);
        await Db.StreamClaimAsync(stream, RedisStreamQueue.GroupName, "ghost-3", 0, [poison]);

        await PoisonRun.AssertPoisonDeadLetteredAsync(host, registry, metrics, Timeout);
        Assert.Equal(0, await Db.StreamLengthAsync(stream));
    }

    [Fact]
    public async Task A_live_long_handler_keeps_its_claim_and_runs_once()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        // 2 s, not the minimum 1 s: the keep-alive (every 0.67 s) then tolerates 1.3 s of CPU starvation on a loaded
        // 2-core machine before the entry would look abandoned (with 1 s it failed once under parallel builds).
        void Configure(SchedulerOptions o) => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(2);
        using var connection = await ClaimHosts.ConnectAsync(redis, timeoutMilliseconds: 1000); // 2 s needs replies within 1 s
        using var first = Hosts.RedisStreams(connection, prefix, registry, Configure);
        using var second = Hosts.RedisStreams(connection, prefix, registry, Configure);
        await first.StartAsync();
        await second.StartAsync();
        var brokers = new[] { first, second }.Select(h => h.Services.GetRequiredService<RedisStreamsBroker>()).ToArray();

        await first.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Slow, default, "long"), TimeSpan.Zero);
        await registry.SlowStarted.Task.WaitAsync(Timeout);
        var scans = brokers.Select(b => b.ReclaimScans).ToArray();
        // Six reclaim sweeps by each process (one per half visibility timeout): three timeouts' worth of chances.
        await Eventually.TrueAsync(() => brokers.Select((b, i) => b.ReclaimScans - scans[i]).All(n => n >= 6), Timeout, "six reclaim sweeps per process");
        registry.SlowGate.SetResult();
        await registry.WhenDistinctRuns(1, Timeout);
        await metrics.WhenAsync(SchedulerMetrics.Completed, 1, Timeout);
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        Assert.Equal(1, registry.TotalRuns);
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Reclaimed));
    }

    [Fact]
    public async Task Graceful_stop_hands_entries_back_at_once_for_other_workers()
    {
        var prefix = RedisFixture.NewPrefix();
        var stopping = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        void Configure(SchedulerOptions o)
        {
            o.Execution.MaxConcurrency = 2;
            o.Streams.VisibilityTimeout = TimeSpan.FromMinutes(10); // a hand-back that waited for it would time the test out
        }

        using var first = Hosts.RedisStreams(redis.Connection, prefix, stopping, Configure);
        await first.StartAsync();
        var scheduler = first.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, 4).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Slow, default, "slow-" + i), TimeSpan.Zero)).ToList());
        await Eventually.TrueAsync(() => first.Services.GetRequiredService<RedisStreamsBroker>().RunningCount == 2, Timeout, "two handlers running");

        using (var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await first.StopAsync(shutdownTimeout.Token);
        }

        await metrics.WhenAsync(SchedulerMetrics.Released, 2, Timeout);
        var taking = new RecordingRegistry();
        taking.SlowGate.SetResult();
        using var second = Hosts.RedisStreams(redis.Connection, prefix, taking, Configure);
        await second.StartAsync();
        await taking.WhenDistinctRuns(4, Timeout);
        await second.StopAsync();

        Assert.Equal(0, stopping.TotalRuns);
        Assert.Equal(4, taking.TotalRuns);
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Reclaimed));
    }

    [Fact]
    public async Task A_host_that_only_schedules_takes_nothing_from_the_stream()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, new RecordingRegistry(), o => o.Worker.Enabled = false);
        await host.StartAsync();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "elsewhere"), TimeSpan.Zero);
        Assert.Equal(1, (await broker.PromoteDueAsync(10, default)).Count); // as another host's worker would

        var groups = await Db.StreamGroupInfoAsync(Key(prefix, "stream"));
        await host.StopAsync();

        Assert.Empty(groups); // no consumer group was even created: this host never reads
        Assert.Equal(1, await Db.StreamLengthAsync(Key(prefix, "stream")));
    }

    private static RedisKey Key(string prefix, string name) => "{" + prefix + "}:" + name;

    private async Task<string[]> KeysAsync(string prefix)
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "{" + prefix + "}*"))
        {
            keys.Add(((string)key!)[(prefix.Length + 3)..]);
        }

        return keys.Order().ToArray();
    }
}
