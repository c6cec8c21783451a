using Athomic.Scheduler.Streams;
using System.Globalization;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>The idle cost of a streams worker over four partitions, on its own redis-server so nothing else is counted.</summary>
[Collection(TimingCollection.Name)]
public sealed class PartitionedStreamsIdleCostTests(ITestOutputHelper output)
{
    private const int Partitions = 4;

    // Commands run inside our Lua scripts (and INFO itself): not sent by a client.
    private static readonly HashSet<string> InsideScripts =
        ["info", "time", "zrange", "zremrangebyrank", "hget", "hdel", "hset", "xadd"];

    [Fact]
    public async Task Idle_streams_worker_with_four_partitions_sends_one_blocking_read_per_partition_per_second_and_little_else()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = Hosts.RedisStreams(connection, "idle4", new RecordingRegistry(), o =>
        {
            o.Partitions = Partitions;
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(1);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
        });
        await using var probe = await server.ConnectAsync(admin: true);
        var redis = probe.GetServer(probe.GetEndPoints()[0]);
        await host.StartAsync();

        // The steady state: after the worker's first polls (which load the script) and each partition's first reclaim sweep.
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await Eventually.TrueAsync(() => worker.PollCount >= 2 && broker.ReclaimScans >= Partitions, TimeSpan.FromSeconds(30), "the worker polled twice, every partition swept once");
        var window = TimeSpan.FromSeconds(8);
        var delta = await CommandStats.SentDuringAsync(redis, InsideScripts, window);
        await host.StopAsync();

        var perSecond = delta.Values.Sum() / window.TotalSeconds;
        var reads = delta.GetValueOrDefault("xreadgroup") / window.TotalSeconds;
        output.WriteLine($"idle streams worker, {Partitions} partitions: {delta.Values.Sum()} commands in {window.TotalSeconds} s = {perSecond:F2}/s ("
            + string.Join(", ", delta.Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")) + ")");

        // One blocking read per partition per second (each waits 1 s); promotion and reclaim sweeps add a fraction.
        Assert.InRange(reads, Partitions - 1, Partitions + 0.5);
        Assert.InRange(perSecond, Partitions - 1, Partitions + 1.5);
    }
}
