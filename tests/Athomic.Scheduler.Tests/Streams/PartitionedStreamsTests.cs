using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Streams;
using System.Diagnostics;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>The streams broker over four partitions of one single-node Redis: one stream and group per partition.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartitionedStreamsTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task Tasks_spread_over_four_partitions_run_exactly_once_through_every_partitions_stream()
    {
        const int count = 4000;
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var first = Hosts.RedisStreams(redis.Connection, prefix, registry, Configure);
        using var second = Hosts.RedisStreams(redis.Connection, prefix, registry, Configure);
        await Task.WhenAll(first.StartAsync(), second.StartAsync());
        var scheduler = first.Services.GetRequiredService<IScheduler>();

        var clock = Stopwatch.StartNew();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "p" + i), TimeSpan.Zero)).ToList());
        await registry.WhenDistinctRuns(count, Timeout);
        var elapsed = clock.Elapsed;
        await metrics.WhenAsync(SchedulerMetrics.Completed, count, Timeout);
        await Task.WhenAll(first.StopAsync(), second.StopAsync());
        output.WriteLine($"partitioned streams: {count} tasks over {Partitions} partitions, 2 hosts, all ran in {elapsed.TotalMilliseconds:F0} ms = {count / elapsed.TotalSeconds:F0}/s");

        Assert.Equal(count, registry.TotalRuns);
        Assert.All(registry.Runs.Values, n => Assert.Equal(1, n));
        for (var p = 0; p < Partitions; p++)
        {
            var stream = Key(prefix, p, "stream");
            var info = await Db.StreamInfoAsync(stream);
            Assert.NotEqual("0-0", (string?)info.LastGeneratedId); // this partition's stream carried entries
            Assert.Equal(0, info.Length);
            Assert.Equal(0, (await Db.StreamPendingAsync(stream, RedisStreamQueue.GroupName)).PendingMessageCount);
            Assert.Equal(0, await Db.HashLengthAsync(Key(prefix, p, "queued")));
            Assert.Equal(0, await Db.SortedSetLengthAsync(Key(prefix, p, "pending")));
            Assert.Empty(await Db.StreamConsumerInfoAsync(stream, RedisStreamQueue.GroupName)); // stopped consumers leave
        }

        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Promotion_visits_the_partitions_in_turn_and_writes_each_task_to_its_own_partitions_stream()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, new RecordingRegistry(), o =>
        {
            Configure(o);
            o.Worker.Enabled = false;
        });
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        var ids = Enumerable.Range(0, Partitions).SelectMany(p => IdsIn(p, "f").Take(10)).ToList();
        await scheduler.ScheduleManyAsync(ids.Select(id => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, id), TimeSpan.Zero)).ToList());
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "later"), TimeSpan.FromHours(1));

        // Four batches of 5: each starts at the next partition, so every partition gave 5 (none starved by another).
        for (var i = 0; i < Partitions; i++)
        {
            var result = await broker.PromoteDueAsync(5, default);
            Assert.Equal(5, result.Count);
            Assert.Equal(TimeSpan.Zero, result.NextDueIn);
        }

        for (var p = 0; p < Partitions; p++)
        {
            var entries = await Db.StreamRangeAsync(Key(prefix, p, "stream"));
            Assert.Equal(5, entries.Length);
            Assert.All(entries, e => Assert.Equal(p, TaskPartitioner.PartitionOf((string)e["t"]!, Partitions)));
            Assert.Equal(5, await Db.HashLengthAsync(Key(prefix, p, "queued")));
        }

        var queued = await scheduler.GetAsync(ids[0]);
        Assert.Equal(ScheduledTaskState.InFlight, queued!.State);
        Assert.Equal(20, (await broker.PromoteDueAsync(100, default)).Count);
        Assert.InRange((await broker.PromoteDueAsync(100, default)).NextDueIn!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Idle_partitions_hold_no_handler_slot_while_they_wait_for_entries()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.RedisStreams(redis.Connection, prefix, registry, o =>
        {
            Configure(o);
            o.Execution.MaxConcurrency = 2;
        });
        await host.StartAsync();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        // Partitions 1 to 3 stay idle, their loops waiting on their streams: both slots still go to partition 0.
        await scheduler.ScheduleManyAsync(IdsIn(0, "busy").Take(2).Select(id => ScheduleRequest.After(new GenericTask(RecordingRegistry.Slow, default, id), TimeSpan.Zero)).ToList());
        await Eventually.TrueAsync(() => broker.RunningCount == 2, Timeout, "both slow handlers of partition 0 run at once");

        // A task of another partition arriving while every slot is taken runs once one is free.
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, IdsIn(2, "late").First()), TimeSpan.Zero);
        registry.SlowGate.SetResult();
        await registry.WhenDistinctRuns(3, Timeout);
        await host.StopAsync();

        Assert.Equal(3, registry.TotalRuns);
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Entries_of_a_dead_consumer_in_partition_three_are_reclaimed_on_that_partitions_stream()
    {
        const int k = 3;
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var connection = await ClaimHosts.ConnectAsync(redis); // a 1 s visibility timeout needs replies within 0.5 s
        using var host = Hosts.RedisStreams(connection, prefix, registry, o =>
        {
            Configure(o);
            o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1);
        });
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        var ids = IdsIn(k, "orphan").Take(5).ToList();
        await host.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(ids.Select(id => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, id), TimeSpan.Zero)).ToList());
        Assert.Equal(5, (await broker.PromoteDueAsync(10, default)).Count);
        var stream = Key(prefix, k, "stream");
        await Db.StreamCreateConsumerGroupAsync(stream, RedisStreamQueue.GroupName, "0-0");
        Assert.Equal(5, (await Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "ghost", ">", 10)).Length); // read, then "died"

        await host.StartAsync();
        await registry.WhenDistinctRuns(5, Timeout);
        await metrics.WhenAsync(SchedulerMetrics.Completed, 5, Timeout);
        await host.StopAsync();

        Assert.Equal(5, metrics.Total(SchedulerMetrics.Reclaimed));
        Assert.Equal(5, registry.TotalRuns);
        Assert.Equal(0, await Db.StreamLengthAsync(stream));
        Assert.Equal(0, await Db.HashLengthAsync(Key(prefix, k, "queued")));
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    /// <summary>Ids that route to <paramref name="partition"/> of four.</summary>
    internal static IEnumerable<string> IdsIn(int partition, string stem) =>
        Enumerable.Range(0, int.MaxValue).Select(i => stem + i).Where(id => TaskPartitioner.PartitionOf(id, Partitions) == partition);

    private static void Configure(SchedulerOptions o)
    {
        o.Partitions = Partitions;
        o.Worker.BatchSize = 500;
        o.Execution.MaxConcurrency = 32;
    }

    private static RedisKey Key(string prefix, int partition, string name) => "{" + TaskPartitioner.PartitionPrefix(prefix, partition) + "}:" + name;
}
