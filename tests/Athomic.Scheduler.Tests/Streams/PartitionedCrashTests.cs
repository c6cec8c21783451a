using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// A worker process SIGKILLed while it runs one entry of every partition's stream: another process reclaims each
/// entry from its own partition's stream and runs it once. Runs are counted in Redis (HINCRBY per task id).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PartitionedCrashTests
{
    private const int Partitions = 4;
    private const string Prefix = "crash", RunsKey = "crash:runs";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Entries_a_killed_worker_held_in_each_partition_are_reclaimed_and_run_by_another_process()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var db = connection.GetDatabase();
        string[] partitionArg = ["--Athomic:Scheduler:Partitions=" + Partitions];

        // The victim's handler works for ten minutes: it holds its entries (kept alive) until it is killed.
        await using var victim = await WorkerProcess.StartAsync(server.ConnectionString, Prefix, "victim", RunsKey, workMs: 600_000, visibilityMs: 1000, concurrency: Partitions, partitionArg);
        var ids = Enumerable.Range(0, Partitions).Select(p => PartitionedStreamsTests.IdsIn(p, "held").First()).ToArray();
        using (var scheduling = Hosts.Redis(connection, Prefix, new RecordingRegistry(), o =>
        {
            o.Partitions = Partitions;
            o.Worker.Enabled = false;
        }))
        {
            await scheduling.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(
                ids.Select(id => ScheduleRequest.After(new GenericTask("chaos.run", default, id), TimeSpan.Zero)).ToList());
        }

        // Another process's state: no event to await, so poll Redis until the victim holds one entry per partition.
        await Eventually.TrueAsync(
            async () =>
            {
                for (var p = 0; p < Partitions; p++)
                {
                    var pending = await db.StreamPendingAsync(Stream(p), RedisStreamQueue.GroupName);
                    if (pending.PendingMessageCount != 1 || pending.Consumers.Single().Name != "victim")
                    {
                        return false;
                    }
                }

                return true;
            },
            Timeout,
            "the victim holds one entry of every partition's stream");
        await victim.KillAsync();

        await using var rescuer = await WorkerProcess.StartAsync(server.ConnectionString, Prefix, "rescuer", RunsKey, workMs: 0, visibilityMs: 1000, concurrency: Partitions, partitionArg);
        await Eventually.TrueAsync(async () => await db.HashLengthAsync(RunsKey) == Partitions, Timeout, "every held task ran");
        await Eventually.TrueAsync(
            async () => (await Task.WhenAll(Enumerable.Range(0, Partitions).Select(p => db.StreamLengthAsync(Stream(p))))).Sum() == 0,
            Timeout,
            "every partition's stream is empty");

        Assert.All(ids, id => Assert.Equal(1, (long)db.HashGet(RunsKey, id)));
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(0, (await db.StreamPendingAsync(Stream(p), RedisStreamQueue.GroupName)).PendingMessageCount);
            Assert.Equal(0, await db.HashLengthAsync("{" + TaskPartitioner.PartitionPrefix(Prefix, p) + "}:queued"));
        }

        Assert.False(rescuer.HasExited, rescuer.Output);
    }

    private static RedisKey Stream(int partition) => "{" + TaskPartitioner.PartitionPrefix(Prefix, partition) + "}:stream";
}
