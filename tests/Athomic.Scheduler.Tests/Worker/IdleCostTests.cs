using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Worker;

[Collection(TimingCollection.Name)]
public sealed class IdleCostTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> InsideScripts =
        ["info", "time", "zrange", "zrangebyscore", "zadd", "zrem", "zremrangebyrank", "zscore", "zcard", "hget", "hmget", "hset", "hdel", "hexists", "publish", "xadd", "get", "set", "exists", "pexpire"];

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 8)]
    [InlineData(true, 1)]
    [InlineData(true, 8)]
    public async Task Idle_worker_sends_at_most_one_command_per_second(bool streams, int partitions)
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = Hosts.Redis(connection, "idle", new RecordingRegistry(), o =>
        {
            o.Partitions = partitions;
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(1);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
        }, streams);
        await using var probe = await server.ConnectAsync(admin: true);
        var redis = probe.GetServer(probe.GetEndPoints()[0]);
        await host.StartAsync();
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        await Eventually.TrueAsync(() => worker.PollCount >= 2 && (!streams || host.Services.GetRequiredService<RedisStreamsBroker>().ReclaimScans >= partitions), TimeSpan.FromSeconds(30), "settled");
        var window = TimeSpan.FromSeconds(20);
        var delta = await CommandStats.SentDuringAsync(redis, InsideScripts, window);
        await host.StopAsync();
        var perSecond = delta.Values.Sum() / window.TotalSeconds;
        output.WriteLine($"{(streams ? "streams" : "in-process")} p{partitions}: {delta.Values.Sum()} in {window.TotalSeconds} s = {perSecond:F2}/s ("
            + string.Join(", ", delta.Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")) + ")");
        Assert.InRange(perSecond, 0, 1.0);
    }
}
