using System.Diagnostics;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The write concern's cost (issue 21): a master with one local replica, the same schedule calls with
/// <c>Durability:WaitForReplicas</c> 0 and 1 in alternating rounds (0, 1, 1, 0, …), so each ratio comes from
/// neighbouring runs on the same servers.
/// </summary>
internal static class DurabilityBench
{
    public static async Task RunAsync(Report report, int scale)
    {
        await using var master = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartReplicaAsync(master);
        await using var connection = await master.ConnectAsync(admin: true);
        var payload = new byte[28];
        var sequential = 5_000 / scale;
        var concurrent = 50_000 / scale;
        var many = 100_000 / scale;
        var totals = new Dictionary<(string Row, int Replicas), (int Count, TimeSpan Elapsed)>();
        void Add(string row, int replicas, int count, TimeSpan elapsed)
        {
            var (c, e) = totals.GetValueOrDefault((row, replicas));
            totals[(row, replicas)] = (c + count, e + elapsed);
        }

        var order = new[] { 0, 1, 1, 0, 0, 1 };
        for (var round = 0; round < order.Length; round++)
        {
            var replicas = order[round];
            using var host = BuildHost(connection, $"dur{round}", replicas);
            var scheduler = host.Services.GetRequiredService<IScheduler>();
            await scheduler.ScheduleAsync(new GenericTask(NoOpRegistry.Name, payload), TimeSpan.FromDays(1), "warm");

            var sw = Stopwatch.StartNew();
            for (var i = 0; i < sequential; i++)
            {
                await scheduler.ScheduleAsync(new GenericTask(NoOpRegistry.Name, payload), TimeSpan.FromDays(1), "s" + i);
            }

            Add("ScheduleAsync, 1 caller", replicas, sequential, sw.Elapsed);
            var r = await ConcurrentBench.RunAsync(scheduler, connection, id => new GenericTask(NoOpRegistry.Name, payload, id), "c", concurrent);
            Add("ScheduleAsync, 32 callers", replicas, r.Count, r.Elapsed);
            var requests = Enumerable.Range(0, many).Select(i => ScheduleRequest.After(new GenericTask(NoOpRegistry.Name, payload, "b" + i), TimeSpan.FromDays(1))).ToList();
            sw.Restart();
            await scheduler.ScheduleManyAsync(requests);
            Add("ScheduleManyAsync", replicas, many, sw.Elapsed);
            await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        }

        foreach (var row in totals.Keys.Select(k => k.Row).Distinct())
        {
            var (c0, e0) = totals[(row, 0)];
            var (c1, e1) = totals[(row, 1)];
            var without = Report.Rate(c0, e0);
            var with = Report.Rate(c1, e1);
            report.Rate($"{row}, 1 local replica, WaitForReplicas = 0", c0, e0, "3 rounds, alternating with = 1");
            report.Rate($"{row}, 1 local replica, WaitForReplicas = 1", c1, e1, $"= {with / without:P0} of WaitForReplicas = 0 (one WAIT per coalesced call)");
        }
    }

    private static IHost BuildHost(IConnectionMultiplexer connection, string prefix, int replicas)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAthomicScheduler(o =>
        {
            o.KeyPrefix = prefix;
            o.Worker.Enabled = false;
            o.Durability.WaitForReplicas = replicas;
        }).UseRedis(_ => connection).AddHandlers(new NoOpRegistry());
        return builder.Build();
    }
}
