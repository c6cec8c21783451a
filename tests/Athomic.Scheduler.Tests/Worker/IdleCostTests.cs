using System.Globalization;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>
/// Issue 23: an idle worker sends at most one command per second on both brokers, with one partition and with eight
/// (the streams broker used to send one blocking read per partition per second), and still starts a task due now
/// within milliseconds. Each host has a redis-server of its own, so its <c>INFO commandstats</c> counts only it; the
/// four hosts idle side by side in one measurement window.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class IdleCostTests(ITestOutputHelper output)
{
    // Commands run inside our Lua scripts (and the test's own INFO): not sent by a client.
    private static readonly HashSet<string> InsideScripts =
        ["info", "time", "zrange", "zrangebyscore", "zadd", "zrem", "zremrangebyrank", "zscore", "zcard", "hget", "hmget", "hset", "hdel", "hexists", "publish", "xadd", "get", "set", "exists", "pexpire"];

    private static readonly (bool Streams, int Partitions)[] Setups = [(false, 1), (false, 8), (true, 1), (true, 8)];

    [Fact]
    public async Task Idle_worker_sends_at_most_one_command_per_second_on_both_brokers_with_one_and_eight_partitions()
    {
        var idle = await Task.WhenAll(Setups.Select(s => IdleAsync(s.Streams, s.Partitions)));
        foreach (var line in idle)
        {
            output.WriteLine(line.Summary);
        }

        // Defaults (polls back off from 1 s to 30 s): the worker's idle polls, the safety-net visit of each partition every
        // 30 s, and with streams the one idle read (15 s blocks), the reclaim sweeps and the consumer name's renewal.
        Assert.All(idle, i => Assert.InRange(i.PerSecond, 0, 1.0));
    }

    [Theory]
    [InlineData(true, 8)]
    [InlineData(true, 1)]
    [InlineData(false, 8)]
    public async Task Task_due_now_on_an_idle_worker_starts_within_milliseconds(bool streams, int partitions)
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var registry = new RecordingRegistry();
        using var host = Build(connection, registry, streams, partitions);
        await host.StartAsync();
        await SettledAsync(host, streams, partitions);

        // Due now, on an idle worker: the schedule's wake-up reaches the worker, the promotion adds the entry and the
        // idle read (one for every partition) takes it at once; 1 s is generous for a loaded machine, and short of the
        // idle read's 15 s blocks and the worker's 30 s idle polls.
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var lateness = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "now-" + i), TimeSpan.Zero);
            await registry.WhenDistinctRuns(i + 1, TimeSpan.FromSeconds(30));
            var ctx = registry.Contexts.Single(c => c.TaskId == "now-" + i);
            lateness.Add((ctx.StartedAt - ctx.DueAt!.Value).TotalMilliseconds);
        }

        await host.StopAsync();
        output.WriteLine($"{(streams ? "streams" : "in-process")} p{partitions} lateness ms: " + string.Join(", ", lateness.Select(l => l.ToString("F1", CultureInfo.InvariantCulture))));
        Assert.All(lateness, l => Assert.InRange(l, -2, 1000));
    }

    private async Task<(string Summary, double PerSecond)> IdleAsync(bool streams, int partitions)
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = Build(connection, new RecordingRegistry(), streams, partitions);
        await using var probe = await server.ConnectAsync(admin: true);
        var redis = probe.GetServer(probe.GetEndPoints()[0]);
        await host.StartAsync();
        await SettledAsync(host, streams, partitions);

        // A measurement window (the time itself is what is measured), long enough to average the periodic work: two
        // safety-net promotions of every idle partition (every 30 s), two to three reclaim sweeps of each.
        var window = TimeSpan.FromSeconds(60);
        var delta = await CommandStats.SentDuringAsync(redis, InsideScripts, window);
        await host.StopAsync();
        var perSecond = delta.Values.Sum() / window.TotalSeconds;
        return ($"{(streams ? "streams" : "in-process")}, {partitions} partition(s): {delta.Values.Sum()} commands in {window.TotalSeconds} s = {perSecond:F2}/s ("
            + string.Join(", ", delta.Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")) + ")", perSecond);
    }

    /// <summary>The steady state: the worker polled twice (its first polls load the scripts), every partition swept once.</summary>
    private static Task SettledAsync(IHost host, bool streams, int partitions)
    {
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        var broker = streams ? host.Services.GetRequiredService<RedisStreamsBroker>() : null;
        return Eventually.TrueAsync(
            () => worker.PollCount >= 2 && (broker is null || broker.ReclaimScans >= partitions),
            TimeSpan.FromSeconds(30),
            "the worker polled twice, every partition swept once");
    }

    private static IHost Build(IConnectionMultiplexer connection, RecordingRegistry registry, bool streams, int partitions) =>
        Hosts.Redis(connection, "idle", registry, o =>
        {
            o.Partitions = partitions;
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(1);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
        }, streams);
}
