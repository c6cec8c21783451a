using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Partitions;

/// <summary>One partition failing with a server error (not a lost connection) leaves the others working.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartitionFailureTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_partition_answering_BUSY_neither_stops_the_other_partitions_nor_strands_their_leases()
    {
        // Partition 2 lives on its own redis-server, which a never-ending script keeps BUSY (as a node during a slow
        // script, or a master during a failover, answers every command with an error while its connection stays up).
        const int Partitions = 4, Sick = 2;
        await using var other = await RedisServer.StartAsync("--lua-time-limit", "50");
        await using var sickConnection = await other.ConnectAsync(admin: true);
        await using var blocker = await other.ConnectAsync();
        var prefix = RedisFixture.NewPrefix();
        var store = new PartitionedScheduleStore(Enumerable.Range(0, Partitions)
            .Select(p => (IScheduleStore)new RedisScheduleStore(new RedisSchedule(p == Sick ? sickConnection : redis.Connection, TaskPartitioner.PartitionPrefix(prefix, p))))
            .ToArray());
        var registry = new RecordingRegistry();

        // Leases of 5 minutes: a lease stranded by a failed sweep would not expire (and run) within the test.
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o => o.Worker.LeaseDuration = TimeSpan.FromMinutes(5), customize: b =>
        {
            b.Services.RemoveAll<IScheduleStore>();
            b.Services.AddSingleton<IScheduleStore>(store);
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        var busy = blocker.GetDatabase().ExecuteAsync("EVAL", "while true do end", 0);
        await Eventually.TrueAsync(async () => await IsBusyAsync(sickConnection), Timeout, "the sick partition answers BUSY");

        var healthy = Enumerable.Range(0, Partitions).Where(p => p != Sick).SelectMany(p => IdsIn(p, Partitions, 3)).ToList();
        foreach (var id in healthy)
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, id), TimeSpan.Zero);
        }

        await registry.WhenDistinctRuns(healthy.Count, Timeout);
        var db = redis.Connection.GetDatabase();
        await Eventually.TrueAsync(
            async () => (await Task.WhenAll(Enumerable.Range(0, Partitions).Where(p => p != Sick)
                .Select(p => db.SortedSetLengthAsync("{" + TaskPartitioner.PartitionPrefix(prefix, p) + "}:inflight")))).Sum() == 0,
            Timeout,
            "no lease of a healthy partition is left in flight");
        Assert.True(await IsBusyAsync(sickConnection), "the sick partition was BUSY all along");

        // The error clears: the sick partition is asked again (after its backoff) and its tasks run too.
        await sickConnection.GetDatabase().ExecuteAsync("SCRIPT", "KILL");
        await Assert.ThrowsAnyAsync<RedisException>(() => busy);
        var late = IdsIn(Sick, Partitions, 3).ToList();
        foreach (var id in late)
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, id), TimeSpan.Zero);
        }

        await registry.WhenDistinctRuns(healthy.Count + late.Count, Timeout);
        await host.StopAsync();
        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value));
        Assert.Empty(await redis.LeftoverKeysAsync(prefix)); // the healthy partitions' keys (the sick one is on its own server)
    }

    private static async Task<bool> IsBusyAsync(IConnectionMultiplexer connection)
    {
        try
        {
            await connection.GetDatabase().PingAsync();
            return false;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSY", StringComparison.Ordinal))
        {
            return true;
        }
    }

    private static IEnumerable<string> IdsIn(int partition, int partitions, int count) =>
        Enumerable.Range(0, int.MaxValue).Select(i => $"p{partition}-{i}").Where(id => TaskPartitioner.PartitionOf(id, partitions) == partition).Take(count);
}
