using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary>The tool on a real 3-master Redis Cluster with 4 partitions spread over the masters.</summary>
public sealed class ClusterTests
{
    // The hash tags {cli}, {cli#1}, {cli#2}, {cli#3} fall on all three masters (asserted below).
    private const string Prefix = "cli";
    private const int Partitions = 4;

    [Fact]
    public async Task Every_command_works_on_a_three_master_cluster_with_four_partitions()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using (var connection = await cluster.ConnectAsync())
        {
            AssertPartitionsOnEveryMaster(connection);
        }

        await using var schedule = ScheduleUnderTest.Create(cluster.ConnectionString, Partitions, Prefix);
        var ids = Enumerable.Range(0, 20).Select(i => $"cl:{i:D2}").ToList();
        foreach (var id in ids)
        {
            await schedule.ScheduleAsync(id, TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(ids.IndexOf(id)));
        }

        await schedule.DeadLetterAsync("cl:dead:1", "cl:dead:2", "cl:dead:3");
        await schedule.Scheduler.AddOrUpdateRecurringAsync("cl.recurring", new GenericTask(ScheduleUnderTest.Ok, ReadOnlyMemory<byte>.Empty), RecurringSchedule.Cron("0 0 1 1 *"));
        await schedule.HoldInFlightAsync("cl:held");

        // Counts of every partition, each read from its own master.
        var stats = Json(await Tool.RunAsync(schedule, "stats", "--json"));
        Assert.Equal(Partitions, stats.GetProperty("partitions").GetArrayLength());
        Assert.True(stats.GetProperty("partitions").EnumerateArray().Count(p => p.GetProperty("pending").GetInt64() > 0) >= 3);
        Assert.Equal(21, stats.GetProperty("total").GetProperty("pending").GetInt64()); // 20 + the recurring occurrence
        Assert.Equal(3, stats.GetProperty("total").GetProperty("dead").GetInt64());
        Assert.Equal(1, stats.GetProperty("total").GetProperty("inFlight").GetInt64());
        var table = await Tool.RunAsync(schedule, "stats");
        Assert.Equal(7, table.Lines.Length);
        Assert.All(table.Lines, l => Assert.True(l.Length <= 80, l));

        // Paging merges the partitions by due time.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = Json(await Tool.RunAsync(schedule, cursor is null ? ["list", "pending", "--prefix", "cl:", "--limit", "7", "--json"] : ["list", "pending", "--prefix", "cl:", "--limit", "7", "--json", "--cursor", cursor]));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null && seen.Count <= ids.Count);
        Assert.Equal(ids, seen);

        var inflight = Json(await Tool.RunAsync(schedule, "list", "inflight", "--json"));
        Assert.Equal("cl:held", Assert.Single(inflight.GetProperty("items").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(3, Json(await Tool.RunAsync(schedule, "list", "dead", "--json")).GetProperty("items").GetArrayLength());
        Assert.Equal("cl.recurring", Assert.Single(Json(await Tool.RunAsync(schedule, "list", "recurring", "--json")).GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        // Actions, each on the partition of its id.
        Assert.Equal("pending", Json(await Tool.RunAsync(schedule, "show", "cl:07", "--json")).GetProperty("state").GetString());
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "cancel", "cl:07")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "run-now", "cl:08")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "run-now", "cl.recurring")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "requeue", "cl:dead:1")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "purge-dead", "cl:dead:2")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "requeue", "--all")).ExitCode);
        Assert.Equal(ExitCodes.NotFound, (await Tool.RunAsync(schedule, "purge-dead")).ExitCode);
        Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "remove-recurring", "cl.recurring")).ExitCode);
        var watch = await Tool.RunAsync(schedule, "watch", "--iterations", "2", "--interval", "0.1", "--json");
        Assert.Equal(2, watch.Lines.Length);

        // The worker that holds cl:held runs what became due (the requeued tasks now succeed), so only these stay sure.
        Assert.Null(await schedule.Scheduler.GetAsync("cl:07"));
        Assert.Equal(0, (await schedule.DeadLetters.ListAsync()).Total);
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Out).RootElement;
    }

    private static void AssertPartitionsOnEveryMaster(IConnectionMultiplexer connection)
    {
        var owners = Enumerable.Range(0, Partitions)
            .Select(p => connection.HashSlot("{" + (p == 0 ? Prefix : $"{Prefix}#{p}") + "}:pending"))
            .Select(slot => connection.GetServers().First().ClusterConfiguration!.GetBySlot(slot)!.EndPoint!.ToString())
            .Distinct()
            .Count();
        Assert.Equal(3, owners);
    }
}
