using System.Globalization;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The idle rows of both brokers with 1 and 8 partitions (issue 23, <c>--idle</c>): lateness of a task 100 ms ahead on
/// an idle worker, and the commands per second an idle worker sends. Each host has a redis-server of its own, so
/// <c>INFO commandstats</c> counts only it; the lateness runs one host at a time, the idle windows side by side.
/// </summary>
internal static class IdleBench
{
    private static readonly (bool Streams, int Partitions)[] Setups = [(false, 1), (false, 8), (true, 1), (true, 8)];

    public static async Task RunAsync(Report report, Func<IConnectionMultiplexer, Task<long>> commands)
    {
        var hosts = new List<(string Label, RedisServer Server, IConnectionMultiplexer Connection, IHost Host, NoOpRegistry Registry)>();
        try
        {
            foreach (var (streams, partitions) in Setups)
            {
                var server = await RedisServer.StartAsync();
                var connection = await server.ConnectAsync(admin: true);
                var registry = new NoOpRegistry();
                var host = Build(connection, registry, streams, partitions);
                hosts.Add(($"{(streams ? "streams" : "in-process")}, {partitions} partition{(partitions == 1 ? "" : "s")}", server, connection, host, registry));
                await host.StartAsync();
            }

            // Lateness, idle: one task at a time, each 100 ms ahead (as the main run's row), one host at a time.
            foreach (var (label, _, _, host, registry) in hosts)
            {
                var scheduler = host.Services.GetRequiredService<IScheduler>();
                var lateness = new List<double>();
                for (var i = 0; i < 30; i++)
                {
                    var done = registry.Expect(1);
                    await scheduler.ScheduleAsync(new GenericTask(NoOpRegistry.Name, new byte[28], "l" + i), TimeSpan.FromMilliseconds(100));
                    await done;
                    lateness.AddRange(registry.LatenessMs);
                }

                lateness.Sort();
                report.Add($"lateness idle, {label} p50 / p99", $"{Report.Percentile(lateness, 0.5):F1} / {Report.Percentile(lateness, 0.99):F1} ms", "(30 tasks, each 100 ms ahead)");
            }

            // Idle cost: 60 s side by side (two safety-net promotions of each idle partition, two or three reclaim sweeps).
            var window = TimeSpan.FromSeconds(60);
            var counts = await Task.WhenAll(hosts.Select(async h =>
            {
                var c0 = await commands(h.Connection);
                await Task.Delay(window);
                return await commands(h.Connection) - c0;
            }));
            for (var i = 0; i < hosts.Count; i++)
            {
                report.Add($"idle worker commands, {hosts[i].Label}", (counts[i] / window.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture) + " /s", $"({counts[i]} in {window.TotalSeconds:F0} s)");
            }
        }
        finally
        {
            foreach (var (_, server, connection, host, _) in hosts)
            {
                await host.StopAsync();
                host.Dispose();
                await connection.DisposeAsync();
                await server.DisposeAsync();
            }
        }
    }

    private static IHost Build(IConnectionMultiplexer connection, NoOpRegistry registry, bool streams, int partitions)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var scheduler = builder.Services.AddAthomicScheduler(o =>
        {
            o.KeyPrefix = "idle";
            o.Partitions = partitions;
            o.Worker.BatchSize = 1000;
            o.Execution.MaxConcurrency = 64;
        }).UseRedis(_ => connection).AddHandlers(registry);
        if (streams)
        {
            scheduler.UseRedisStreamsBroker();
        }

        return builder.Build();
    }
}
