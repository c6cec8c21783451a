using System.Diagnostics;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Cluster;

/// <summary>
/// The partitioned schedule on a real 3-master Redis Cluster (redis-cli --cluster create, AOF fsync always) with
/// three chaos worker processes on the in-process broker, or on the streams broker (one stream per partition, so
/// each partition's stream lives on its partition's master). Runs are counted in Redis (HINCRBY per task id).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    // Prefix "cs" with 6 partitions: the hash tags {cs}, {cs#1} … {cs#5} fall two on each master (asserted below).
    private const string Prefix = "cs";
    private const int Partitions = 6;
    private const string RunsKey = "cl-runs";

    [Fact]
    public Task Fifty_thousand_tasks_over_three_masters_and_three_workers_run_exactly_once() =>
        RunExactlyOnceAsync(50_000, streams: false);

    [Fact]
    public Task Twenty_thousand_tasks_through_the_partitioned_streams_broker_over_three_masters_run_exactly_once() =>
        RunExactlyOnceAsync(20_000, streams: true);

    /// <summary>Schedules <paramref name="taskCount"/> tasks due over 5 s; three worker processes run each exactly once.</summary>
    private async Task RunExactlyOnceAsync(int taskCount, bool streams)
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var connection = await cluster.ConnectAsync();
        AssertPartitionsOnEveryMaster(connection);
        var workers = await StartWorkersAsync(cluster, streams);
        try
        {
            var clock = Stopwatch.StartNew();
            await ScheduleAsync(connection, taskCount, spreadMs: 5_000);
            var scheduled = clock.Elapsed;
            await WaitForRunsAsync(connection, taskCount, TimeSpan.FromSeconds(120));
            var (distinct, runs) = await RunsAsync(connection);
            Report($"cluster{(streams ? " streams" : "")}: tasks {taskCount}, masters 3, partitions {Partitions}, workers 3, scheduled in {scheduled.TotalSeconds:F1} s, " +
                $"all ran after {clock.Elapsed.TotalSeconds:F1} s, lost {taskCount - distinct}, duplicates {runs - distinct}");

            Assert.Equal(taskCount, distinct);
            Assert.Equal(taskCount, runs);
            await AssertDrainedAsync(connection, streams);
            AssertHealthy(workers);
        }
        finally
        {
            await DisposeAllAsync(workers);
        }
    }

    [Fact]
    public async Task A_master_killed_and_restarted_with_its_append_only_file_loses_nothing()
    {
        const int taskCount = 10_000;
        await using var cluster = await RedisCluster.StartAsync();
        await using var connection = await cluster.ConnectAsync();
        var workers = await StartWorkersAsync(cluster);
        try
        {
            await ScheduleAsync(connection, taskCount, spreadMs: 8_000);
            await Eventually.TrueAsync(async () => await connection.GetDatabase().HashLengthAsync(RunsKey) >= taskCount / 5, TimeSpan.FromSeconds(60), "a fifth of the tasks ran");

            // The victim is a master that holds partitions but not the runs counter.
            var runsSlot = connection.HashSlot(RunsKey);
            var victim = cluster.Masters.First(m => !OwnsSlot(connection, m.Port, runsSlot));
            var ranBefore = await connection.GetDatabase().HashLengthAsync(RunsKey);
            await victim.StopAsync(); // SIGKILL: only what the append-only file holds survives
            await victim.StartProcessAsync();
            await cluster.WaitUntilOkAsync(TimeSpan.FromSeconds(60));

            await WaitForRunsAsync(connection, taskCount, TimeSpan.FromSeconds(120));
            var (distinct, runs) = await RunsAsync(connection);
            Report($"cluster master restart: tasks {taskCount}, ran before the kill {ranBefore}, lost {taskCount - distinct}, duplicates {runs - distinct}");

            Assert.Equal(taskCount, distinct);
            await AssertDrainedAsync(connection);
            AssertHealthy(workers);
        }
        finally
        {
            await DisposeAllAsync(workers);
        }
    }

    [Fact]
    public async Task Recurring_schedules_over_three_masters_and_three_streams_workers_run_each_occurrence_once()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var connection = await cluster.ConnectAsync();
        var workers = await StartWorkersAsync(cluster, streams: true);
        try
        {
            var ids = Enumerable.Range(0, 12).Select(i => "every-second-" + i).ToList();
            Assert.Equal(Partitions, ids.Select(id => TaskPartitioner.PartitionOf(id, Partitions)).Distinct().Count());
            using (var host = Hosts.Redis(connection, Prefix, new RecordingRegistry(), o =>
            {
                o.Partitions = Partitions;
                o.Worker.Enabled = false;
            }))
            {
                var scheduler = host.Services.GetRequiredService<IScheduler>();
                foreach (var id in ids)
                {
                    await scheduler.AddOrUpdateRecurringAsync(id, new GenericTask("chaos.run", default), RecurringSchedule.Every(TimeSpan.FromSeconds(1)));
                }

                await WaitForRunsAsync(connection, ids.Count * 4, TimeSpan.FromSeconds(60));
                foreach (var id in ids)
                {
                    Assert.True(await scheduler.RemoveRecurringAsync(id));
                }
            }

            var runs = await connection.GetDatabase().HashGetAllAsync(RunsKey);
            Report($"cluster recurring (streams broker): schedules {ids.Count} every second over {Partitions} partitions, occurrences run {runs.Length}, " +
                $"duplicates {runs.Sum(r => (long)r.Value) - runs.Length}");
            Assert.All(runs, run => Assert.Equal(1, (long)run.Value));
            Assert.Equal(ids.Order(), runs.Select(r => TaskPartitioner.RoutingKey(r.Name!)).Distinct().Order());
            AssertHealthy(workers);
        }
        finally
        {
            await DisposeAllAsync(workers);
        }
    }

    private static async Task<WorkerProcess[]> StartWorkersAsync(RedisCluster cluster, bool streams = false) =>
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => WorkerProcess.StartAsync(
            cluster.ConnectionString, Prefix, "cw" + i, RunsKey, workMs: 0, visibilityMs: 30_000, concurrency: 64,
            "--Chaos:Broker=" + (streams ? "streams" : "inprocess"),
            "--Athomic:Scheduler:Partitions=" + Partitions,
            "--Athomic:Scheduler:Worker:BatchSize=1000",
            "--Athomic:Scheduler:Worker:LeaseDuration=00:00:10")));

    private static async Task ScheduleAsync(IConnectionMultiplexer connection, int count, int spreadMs)
    {
        using var host = Hosts.Redis(connection, Prefix, new RecordingRegistry(), o =>
        {
            o.Partitions = Partitions;
            o.Worker.Enabled = false;
        });
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        const int chunk = 10_000;
        for (var start = 0; start < count; start += chunk)
        {
            await scheduler.ScheduleManyAsync(Enumerable.Range(start, Math.Min(chunk, count - start))
                .Select(i => ScheduleRequest.After(new GenericTask("chaos.run", default, "k" + i), TimeSpan.FromMilliseconds((long)i * spreadMs / count)))
                .ToList());
        }
    }

    private static Task WaitForRunsAsync(IConnectionMultiplexer connection, int count, TimeSpan timeout) =>
        Eventually.TrueAsync(async () => await connection.GetDatabase().HashLengthAsync(RunsKey) >= count, timeout, $"{count} distinct tasks ran");

    private static async Task<(long Distinct, long Runs)> RunsAsync(IConnectionMultiplexer connection)
    {
        var db = connection.GetDatabase();
        return (await db.HashLengthAsync(RunsKey), (await db.HashValuesAsync(RunsKey)).Sum(v => (long)v));
    }

    /// <summary>Every task was acknowledged: no partition holds a pending, in-flight, stored or (streams) queued task.</summary>
    private static Task AssertDrainedAsync(IConnectionMultiplexer connection, bool streams = false) =>
        Eventually.TrueAsync(
            async () =>
            {
                var db = connection.GetDatabase();
                for (var p = 0; p < Partitions; p++)
                {
                    var tag = "{" + TaskPartitioner.PartitionPrefix(Prefix, p) + "}";
                    if (await db.SortedSetLengthAsync(tag + ":pending") + await db.SortedSetLengthAsync(tag + ":inflight") + await db.HashLengthAsync(tag + ":tasks") > 0)
                    {
                        return false;
                    }

                    // With the streams broker, each partition's own stream carried entries and is empty now.
                    if (streams && (await db.StreamLengthAsync(tag + ":stream") + await db.HashLengthAsync(tag + ":queued") > 0
                        || (string?)(await db.StreamInfoAsync(tag + ":stream")).LastGeneratedId == "0-0"))
                    {
                        return false;
                    }
                }

                return true;
            },
            TimeSpan.FromSeconds(30),
            "every partition is empty");

    private static void AssertPartitionsOnEveryMaster(IConnectionMultiplexer connection)
    {
        var owners = Enumerable.Range(0, Partitions)
            .Select(p => connection.HashSlot("{" + TaskPartitioner.PartitionPrefix(Prefix, p) + "}:pending"))
            .Select(slot => connection.GetServers().Single(s => s.ClusterConfiguration!.GetBySlot(slot)!.EndPoint!.Equals(s.EndPoint)).EndPoint)
            .CountBy(endpoint => endpoint!.ToString()!)
            .Select(owned => owned.Value)
            .ToArray();
        Assert.Equal([2, 2, 2], owners);
    }

    private static bool OwnsSlot(IConnectionMultiplexer connection, int port, int slot) =>
        connection.GetServers().First().ClusterConfiguration!.GetBySlot(slot)!.EndPoint!.ToString()!.EndsWith(":" + port, StringComparison.Ordinal);

    private static void AssertHealthy(WorkerProcess[] workers)
    {
        Assert.All(workers, w => Assert.False(w.HasExited, "a worker crashed: " + w.Output));
        Assert.DoesNotContain(workers, w => w.Output.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    private static async Task DisposeAllAsync(WorkerProcess[] workers)
    {
        foreach (var worker in workers)
        {
            await worker.DisposeAsync();
        }
    }

    private void Report(string summary)
    {
        output.WriteLine(summary);
        Console.WriteLine(summary);
    }
}
