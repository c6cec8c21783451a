using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>The streams broker against a redis-server with an fsync-always append-only file, killed and restarted mid-run.</summary>
[Collection(ProcessCollection.Name)]
public sealed class RedisRestartTests(ITestOutputHelper output)
{
    private const int TaskCount = 3000;

    [Fact]
    public async Task Redis_with_appendonly_restarted_mid_run_loses_nothing()
    {
        await using var server = await RedisServer.StartAsync("--appendonly", "yes", "--appendfsync", "always");
        // A 2 s visibility timeout needs replies within 1 s.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",syncTimeout=1000,asyncTimeout=1000");
        var registry = new RecordingRegistry();
        void Configure(SchedulerOptions o) => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(2);
        using var first = Hosts.RedisStreams(connection, "aof", registry, Configure);
        using var second = Hosts.RedisStreams(connection, "aof", registry, Configure);
        await first.StartAsync();
        await second.StartAsync();
        await first.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(Enumerable.Range(0, TaskCount)
            .Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "a" + i), TimeSpan.FromMilliseconds(i)))
            .ToList());

        await registry.WhenDistinctRuns(TaskCount / 4, TimeSpan.FromSeconds(30));
        var before = registry.DistinctRuns;
        await server.StopAsync(); // SIGKILL: only what the append-only file holds survives
        await server.StartProcessAsync();
        await registry.WhenDistinctRuns(TaskCount, TimeSpan.FromSeconds(90));
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        var summary = $"aof restart: tasks {TaskCount}, ran before the kill {before}, lost {TaskCount - registry.DistinctRuns}, duplicates {registry.TotalRuns - registry.DistinctRuns}";
        output.WriteLine(summary);
        Console.WriteLine(summary);
        Assert.Equal(TaskCount, registry.DistinctRuns);
    }
}
