using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Operations;

/// <summary>
/// The operations API, resolved from DI, on a real 3-master Redis Cluster with 4 partitions spread over all three
/// masters: every call is one single-slot script per partition, so none fails with CROSSSLOT.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ClusterOperationsTests
{
    private const int Partitions = 4;

    [Fact]
    public async Task Listings_and_actions_work_over_four_partitions_on_three_masters()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var connection = await cluster.ConnectAsync();
        var prefix = PrefixOnEveryMaster(connection);
        using var host = Hosts.Redis(connection, prefix, new RecordingRegistry(), o =>
        {
            o.Partitions = Partitions;
            o.Worker.Enabled = false;
        });
        var operations = host.Services.GetRequiredService<ISchedulerOperations>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var store = host.Services.GetRequiredService<IScheduleStore>();
        var payload = MessagePackSerializer.Serialize(new[] { 1, 2, 3 });
        var start = DateTimeOffset.UtcNow.AddHours(1);

        // 1,000 pending tasks over the 4 partitions, 50 distinct due times.
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 1000).Select(i =>
            ScheduleRequest.At(new GenericTask(i % 4 == 0 ? "four" : "other", payload, $"c{i:D4}"), start.AddSeconds(i % 50)))]);
        var listed = new List<TaskSummary>();
        string? cursor = null;
        do
        {
            var page = await operations.ListTasksAsync(new TaskQuery { Limit = 64, Cursor = cursor });
            listed.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var expected = Enumerable.Range(0, 1000).OrderBy(i => i % 50).ThenBy(i => i).Select(i => $"c{i:D4}").ToList();
        Assert.Equal(expected, listed.Select(t => t.TaskId).ToList());
        Assert.Equal(Partitions, listed.Select(t => t.Partition).Distinct().Count());
        Assert.All(listed, t => Assert.Equal(TaskPartitioner.PartitionOf(t.TaskId, Partitions), t.Partition));

        var filtered = new List<TaskSummary>();
        cursor = null;
        do
        {
            var page = await operations.ListTasksAsync(new TaskQuery { Limit = 20, Handler = "four", Cursor = cursor });
            filtered.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(expected.Where(id => int.Parse(id[1..]) % 4 == 0), filtered.Select(t => t.TaskId));

        // Counts per partition, run now, in flight with owner, dead letters, recurring.
        var counts = await operations.GetCountsAsync();
        Assert.Equal(Partitions, counts.Count);
        Assert.Equal(1000, counts.Sum(c => c.Pending));

        Assert.Equal(RunNowStatus.Due, await operations.RunNowAsync("c0007"));
        var claimed = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);
        Assert.Equal("c0007", claimed.TaskId);
        var inFlight = Assert.Single((await operations.ListTasksAsync(new TaskQuery(ScheduledTaskState.InFlight))).Items);
        Assert.Equal(("c0007", LeaseOwnerName.Current), (inFlight.TaskId, inFlight.Owner));
        Assert.NotNull(inFlight.LeaseDeadline);
        Assert.Equal(RunNowStatus.InFlight, await operations.RunNowAsync("c0007"));

        Assert.True(await store.DeadLetterAsync(claimed.Claim, new DeadLetter("c0007", claimed.Envelope, "broke", 1, DateTimeOffset.UtcNow).Encode(), default));
        var dead = Assert.Single((await operations.ListTasksAsync(new TaskQuery(ScheduledTaskState.DeadLetter))).Items);
        Assert.Equal("broke", dead.LastError);
        Assert.Equal("[1,2,3]", (await operations.GetTaskAsync("c0007"))!.PayloadToJson());
        Assert.Equal(1, await operations.RequeueAllDeadLettersAsync());
        Assert.True(await scheduler.CancelAsync("c0007"));

        foreach (var id in new[] { "nightly", "hourly", "weekly" })
        {
            await scheduler.AddOrUpdateRecurringAsync(id, new GenericTask("report", payload), RecurringSchedule.Every(TimeSpan.FromHours(1)));
        }

        var recurring = new List<RecurringScheduleInfo>();
        string? recurringCursor = null;
        do
        {
            var page = await operations.ListRecurringAsync(recurringCursor, limit: 2);
            recurring.AddRange(page.Items);
            recurringCursor = page.NextCursor;
        }
        while (recurringCursor is not null);

        Assert.Equal(["hourly", "nightly", "weekly"], recurring.Select(r => r.ScheduleId).Order(StringComparer.Ordinal));
        var manual = await operations.TriggerRecurringAsync("weekly");
        Assert.Equal("report", (await operations.GetTaskAsync(manual!))!.Summary.Handler);
        Assert.Equal(999 + 1, (await operations.GetCountsAsync()).Sum(c => c.Pending));
    }

    /// <summary>A key prefix whose 4 partition hash tags fall on all 3 masters.</summary>
    private static string PrefixOnEveryMaster(IConnectionMultiplexer connection)
    {
        var servers = connection.GetServers();
        for (var i = 0; ; i++)
        {
            var prefix = "ops" + i;
            var masters = Enumerable.Range(0, Partitions)
                .Select(p => connection.HashSlot("{" + TaskPartitioner.PartitionPrefix(prefix, p) + "}:pending"))
                .Select(slot => servers[0].ClusterConfiguration!.GetBySlot(slot)!.EndPoint!.ToString())
                .Distinct()
                .Count();
            if (masters == 3)
            {
                return prefix;
            }
        }
    }
}
