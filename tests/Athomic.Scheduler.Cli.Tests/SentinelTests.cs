using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary>
/// The tool through Redis Sentinel (<c>--redis "sentinel:port,serviceName=mymaster"</c>): 1 master, 1 replica and 3
/// sentinels on loopback; it reads and writes before a failover and, once the sentinels have promoted the replica,
/// after it, on the new master.
/// </summary>
public sealed class SentinelTests
{
    [Fact]
    public async Task The_tool_reads_and_writes_through_the_sentinels_before_and_after_a_failover()
    {
        await using var set = await SentinelSet.StartAsync();
        await using (var schedule = ScheduleUnderTest.Create(set.ConnectionString, prefix: "sen"))
        {
            await schedule.ScheduleAsync("sen:1", TimeSpan.FromMinutes(10));
            await schedule.ScheduleAsync("sen:2", TimeSpan.FromMinutes(11));
            var before = Json(await Tool.RunAsync(schedule, "list", "pending", "--json"));
            Assert.Equal(["sen:1", "sen:2"], before.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

            // The replica has both tasks before the master dies (the test waits for it; the library's
            // Durability:WaitForReplicas does the same for applications).
            await using (var master = await set.Master.ConnectAsync(admin: true))
            {
                Assert.Equal(1L, (long)await master.GetServer(master.GetEndPoints()[0]).ExecuteAsync("WAIT", 1, 5000));
            }

            await set.Master.StopAsync(); // SIGKILL
            await Eventually.TrueAsync(async () => await set.CurrentMasterPortAsync() == set.Replica.Port, "the sentinels promote the replica", TimeSpan.FromSeconds(60));

            // A fresh tool run asks the sentinels for the master: the new one has the tasks, and takes a cancel.
            await Eventually.TrueAsync(async () => (await Tool.RunAsync(schedule, "show", "sen:1", "--json")).ExitCode == ExitCodes.Ok, "the tool reaches the new master", TimeSpan.FromSeconds(30));
            Assert.Equal("pending", Json(await Tool.RunAsync(schedule, "show", "sen:1", "--json")).GetProperty("state").GetString());
            Assert.Equal(ExitCodes.Ok, (await Tool.RunAsync(schedule, "cancel", "sen:2")).ExitCode);
            var after = Json(await Tool.RunAsync(schedule, "list", "pending", "--json"));
            Assert.Equal(["sen:1"], after.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        }

        await using var direct = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{set.Replica.Port}");
        Assert.Null(await direct.GetDatabase().SortedSetScoreAsync("{sen}:pending", "sen:2"));
        Assert.NotNull(await direct.GetDatabase().SortedSetScoreAsync("{sen}:pending", "sen:1"));
    }

    private static JsonElement Json(CliResult result)
    {
        Assert.True(result.ExitCode == ExitCodes.Ok, result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }
}
