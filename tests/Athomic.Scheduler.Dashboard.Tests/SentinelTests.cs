using System.Net;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// The dashboard on a Sentinel connection string (1 master, 1 replica, 3 sentinels on loopback): it shows the schedule
/// before a failover and, on the same long-lived connection, after the sentinels promoted the replica.
/// </summary>
public sealed class SentinelTests
{
    [Fact]
    public async Task The_dashboard_follows_a_sentinel_failover_on_its_connection()
    {
        await using var set = await SentinelSet.StartAsync();
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = set.ConnectionString });
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add(DashboardHost.UserHeader, "operator");
        await host.Scheduler.ScheduleAsync(new GenericTask("reports.nightly", default), TimeSpan.FromHours(1), "before-failover");
        Assert.Contains("before-failover", await client.GetStringAsync(host.Root + "/task?id=before-failover"));

        await using (var master = await set.Master.ConnectAsync(admin: true))
        {
            Assert.Equal(1L, (long)await master.GetServer(master.GetEndPoints()[0]).ExecuteAsync("WAIT", 1, 5000));
        }

        await set.Master.StopAsync(); // SIGKILL
        await Eventually.TrueAsync(async () => await set.CurrentMasterPortAsync() == set.Replica.Port, TimeSpan.FromSeconds(60), "the sentinels promote the replica");

        // The app's connection finds the new master: the task page answers again, and a write lands there.
        await Eventually.TrueAsync(
            async () => (await client.GetAsync(host.Root + "/task?id=before-failover")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the task page answers from the new master");
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    await host.Scheduler.ScheduleAsync(new GenericTask("reports.nightly", default), TimeSpan.FromHours(1), "after-failover");
                    return true;
                }
                catch (SchedulerUnavailableException)
                {
                    return false;
                }
            },
            TimeSpan.FromSeconds(30),
            "a schedule is written on the new master");
        Assert.Contains("after-failover", await client.GetStringAsync(host.Root + "/task?id=after-failover"));
        var pending = await client.GetStringAsync(host.Root + "/pending");
        Assert.Contains("before-failover", pending);
        Assert.Contains("after-failover", pending);
    }
}
