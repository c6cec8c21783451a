using System.Globalization;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>
/// Timing measurements run alone, after the parallel tests, so other tests' CPU load is not measured; a redis-server of
/// their own for the tests that take one.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "timing";
}

/// <summary>
/// Idle cost and punctuality, each on its own redis-server so nothing else is counted. Other test assemblies still
/// load both cores meanwhile, so the windows here tell a worker that wakes for a due time from one that waits for its
/// next poll, and one that idles from one that spins; the figures themselves (lateness p50/p95/p99, idle commands per
/// second) are the benchmark's rows "lateness idle" and "idle worker commands".
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class WorkerTimingTests(ITestOutputHelper output)
{
    // Commands a client sends; the rest of INFO commandstats are commands run inside our Lua scripts, or INFO itself.
    private static readonly HashSet<string> InsideScripts =
        ["info", "time", "zrange", "zrangebyscore", "zadd", "zrem", "zremrangebyrank", "zscore", "zcard", "hget", "hmget", "hset", "hdel", "hexists", "publish"];

    [Fact]
    public async Task Idle_worker_does_not_spin_it_sends_at_most_two_commands_per_second()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = Hosts.Redis(connection, "idle", new RecordingRegistry(), o =>
        {
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(1);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
        });
        await using var probe = await server.ConnectAsync(admin: true);
        var redis = probe.GetServer(probe.GetEndPoints()[0]);

        await host.StartAsync();

        // Measure the steady state: after the worker's first polls, which also load its scripts into Redis once.
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        await Eventually.TrueAsync(() => worker.PollCount >= 2, TimeSpan.FromSeconds(30), "the worker polled twice");
        var window = TimeSpan.FromSeconds(10); // a measurement window: the time itself is what is measured
        var delta = await CommandStats.SentDuringAsync(redis, InsideScripts, window);
        await host.StopAsync();

        var sent = delta.Values.Sum();
        var perSecond = sent / window.TotalSeconds;
        output.WriteLine($"idle worker: {sent} commands in {window.TotalSeconds} s = {perSecond:F2}/s ("
            + string.Join(", ", delta.Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")) + ")");
        // The benchmark measures about one per second; a worker polling at its 50 ms floor would send 20, and one that
        // stopped polling none. Two leaves room for a reconnection or a slow round trip on a loaded machine.
        Assert.InRange(perSecond, 0.1, 2.0);
    }

    [Fact]
    public async Task Task_scheduled_ahead_on_an_idle_worker_starts_at_its_due_time_not_at_its_next_poll()
    {
        // The test process starts with as many pool threads as cores (2 here) and the test runner holds some of them:
        // a timer callback could then wait up to a second for the pool to add a thread, which is the test host's start
        // and not the worker's lateness (seen on the code before issue 11 too, about 1 run in 6). The benchmark does the same.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var registry = new RecordingRegistry();
        // Idle polls at least 5 s apart: a task found by the next idle poll instead of a wake-up at its due time would
        // start seconds late, and under the 1 s window below only by chance for all five.
        using var host = Hosts.Redis(connection, "late", registry, o =>
        {
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(5);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "warm-up"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, TimeSpan.FromSeconds(30));

        var lateness = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "timed-" + i), TimeSpan.FromMilliseconds(200));
            await registry.WhenDistinctRuns(i + 2, TimeSpan.FromSeconds(30));
            var ctx = registry.Contexts.Single(c => c.TaskId == "timed-" + i);
            lateness.Add((ctx.StartedAt - ctx.DueAt!.Value).TotalMilliseconds);
        }

        await host.StopAsync();
        output.WriteLine("lateness ms: " + string.Join(", ", lateness.Select(l => l.ToString("F1", CultureInfo.InvariantCulture))));
        Assert.All(lateness, l => Assert.InRange(l, -2, 1000));
    }
}
