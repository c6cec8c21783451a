using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Recurring;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Partitions;

/// <summary>Recurring schedules over several partitions: each schedule and its occurrences live in one partition.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartitionedRecurringTests(RedisFixture redis)
{
    [Theory]
    [InlineData("nightly", 7)]
    [InlineData("report.signups.ops", 16)]
    [InlineData("x", 3)]
    public void An_occurrence_routes_to_its_schedule_s_partition(string scheduleId, int partitions)
    {
        var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
        var expected = TaskPartitioner.PartitionOf(scheduleId, partitions);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(expected, TaskPartitioner.PartitionOf(RecurringTaskIds.For(scheduleId, start.AddMinutes(i * 7)), partitions));
        }
    }

    [Theory]
    [InlineData("a@123", "a")]
    [InlineData("user@example.com@1795765330000", "user@example.com")]
    [InlineData("user@example.com", "user@example.com")]
    [InlineData("a@12x", "a@12x")]
    [InlineData("@123", "@123")]
    [InlineData("a@", "a@")]
    [InlineData("plain", "plain")]
    public void Only_a_name_followed_by_at_and_digits_routes_by_the_name(string taskId, string key) =>
        Assert.Equal(key, TaskPartitioner.RoutingKey(taskId));

    [Fact]
    public async Task Schedules_over_four_partitions_run_each_occurrence_once_chained_by_the_claims()
    {
        var start = new DateTimeOffset(2026, 11, 27, 10, 0, 30, TimeSpan.Zero);
        var driver = new RecurringDriver(start, partitions: 4);
        var ids = Enumerable.Range(0, 12).Select(i => "job" + i).ToList();
        Assert.Equal(4, ids.Select(id => TaskPartitioner.PartitionOf(id, 4)).Distinct().Count());
        foreach (var id in ids)
        {
            await driver.Scheduler.AddOrUpdateRecurringAsync(id, RecurringDriver.Payload(id), RecurringSchedule.Cron("*/5 * * * *"));
        }

        await driver.RunUntilAsync(start.AddHours(1)); // 10:05 … 11:00: 12 occurrences each

        var runs = driver.Runs.GroupBy(r => r.Payload).ToDictionary(g => g.Key, g => g.Select(r => r.Due).ToList());
        Assert.Equal(ids.Order(), runs.Keys.Order());
        var expected = Enumerable.Range(1, 12).Select(i => new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero).AddMinutes(5 * i)).ToList();
        Assert.All(runs.Values, times => Assert.Equal(expected, times));
        // Every claim added the next occurrence (the last one added 11:05, still pending): none came from the fallback.
        Assert.Equal(12 * 12, driver.Chained);
        foreach (var id in ids)
        {
            Assert.NotNull(await driver.Scheduler.GetAsync(RecurringTaskIds.For(id, new DateTimeOffset(2026, 11, 27, 11, 5, 0, TimeSpan.Zero))));
        }
    }

    [Fact]
    public async Task Three_workers_on_four_redis_partitions_run_each_occurrence_once()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        var hosts = Enumerable.Range(0, 3).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, o => o.Partitions = 4)).ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        var ids = Enumerable.Range(0, 8).Select(i => "tick" + i).ToList();
        var scheduler = hosts[0].Services.GetRequiredService<IScheduler>();
        foreach (var id in ids)
        {
            await scheduler.AddOrUpdateRecurringAsync(id, new GenericTask(RecordingRegistry.Record, default), RecurringSchedule.Every(TimeSpan.FromSeconds(1)));
        }

        await registry.WhenDistinctRuns(ids.Count * 3, TimeSpan.FromSeconds(30));
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value));
        Assert.Equal(ids.Order(), registry.Runs.Keys.Select(TaskPartitioner.RoutingKey).Distinct().Order());
        var db = redis.Connection.GetDatabase();
        foreach (var id in ids)
        {
            var tag = "{" + TaskPartitioner.PartitionPrefix(prefix, TaskPartitioner.PartitionOf(id, 4)) + "}";
            Assert.True(await db.HashExistsAsync(tag + ":recurring", id), $"{id} is stored in its partition {tag}");
        }

        Assert.Equal(4, ids.Select(id => TaskPartitioner.PartitionOf(id, 4)).Distinct().Count());
    }
}
