using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>Recurring schedules on a real redis-server: racing workers, restarts, redeploys, update and remove.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisRecurringTests(RedisFixture redis)
{
    private static readonly RecurringSchedule EverySecond = RecurringSchedule.Every(TimeSpan.FromSeconds(1));

    private static GenericTask Payload(string text) => new(RecordingRegistry.Record, System.Text.Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Many_callers_adding_the_same_occurrence_add_it_once()
    {
        var store = new RedisScheduleStore(redis.Connection, RedisFixture.NewPrefix());
        var definition = new RecurringDefinition(RecordingRegistry.Record, new byte[] { 1 }, RecurringSchedule.Every(TimeSpan.FromHours(1))).Write();
        Assert.Equal(RecurringUpsertStatus.Created, await store.UpsertRecurringAsync("job", definition, default));
        var due = Assert.Single((await store.GetDueRecurringAsync(10, default)).Entries);
        var occurrence = due.WatermarkMilliseconds + 3_600_000;
        var taskId = "job@" + occurrence;

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ =>
            store.AddOccurrenceAsync("job", due.Revision, occurrence, taskId, TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, default, taskId)), default)));

        Assert.Equal(1, results.Count(r => r == Storage.RecurringAddStatus.Added));
        Assert.Equal(63, results.Count(r => r == Storage.RecurringAddStatus.AlreadyAdded));
        Assert.Equal(Storage.RecurringAddStatus.Stale, await store.AddOccurrenceAsync("job", due.Revision - 1, occurrence + 1, "x", new byte[] { 1 }, default));
        Assert.NotNull(await store.GetAsync(taskId, default));
    }

    [Fact]
    public async Task Eight_workers_racing_over_one_schedule_run_each_occurrence_once()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        var hosts = Enumerable.Range(0, 8).Select(_ => Hosts.Redis(redis.Connection, prefix, registry)).ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        // Every host stores the schedule at start-up, as a static schedule does: one creates it, the rest see it unchanged.
        var statuses = await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<IScheduler>().AddOrUpdateRecurringAsync("tick", Payload("t"), EverySecond)));
        Assert.Equal(1, statuses.Count(s => s == RecurringUpsertStatus.Created));

        await registry.WhenDistinctRuns(5, TimeSpan.FromSeconds(30));
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value));
        var times = registry.Runs.Keys.Select(id => long.Parse(id[(id.IndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(1000, pair.Second - pair.First));
        Assert.All(registry.Runs.Keys, id => Assert.StartsWith("tick@", id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restart_and_a_redeploy_with_an_unchanged_schedule_create_no_duplicate()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();

        for (var deploy = 1; deploy <= 3; deploy++)
        {
            using var host = Hosts.Redis(redis.Connection, prefix, registry);
            await host.StartAsync();
            var status = await host.Services.GetRequiredService<IScheduler>().AddOrUpdateRecurringAsync("tick", Payload("t"), EverySecond);
            Assert.Equal(deploy == 1 ? RecurringUpsertStatus.Created : RecurringUpsertStatus.Unchanged, status);
            await registry.WhenDistinctRuns(deploy * 2, TimeSpan.FromSeconds(30));
            await host.StopAsync();
        }

        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value));
    }

    [Fact]
    public async Task Update_and_remove_act_on_the_pending_occurrence()
    {
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisScheduleStore(redis.Connection, prefix);
        var scheduler = new Scheduler(store, Microsoft.Extensions.Options.Options.Create(new SchedulerOptions { KeyPrefix = prefix }));
        var pump = new RecurringPump(store, new SchedulerOptions(), NullLogger.Instance);
        var hourly = RecurringSchedule.Every(TimeSpan.FromHours(1));

        await scheduler.AddOrUpdateRecurringAsync("job", Payload("old"), hourly);
        Assert.Equal(1, (await pump.PumpAsync(default)).Added);
        var batch = await store.GetDueRecurringAsync(10, default);
        Assert.Empty(batch.Entries); // indexed at the pending occurrence, an hour ahead at most
        var now = DateTimeOffset.FromUnixTimeMilliseconds(batch.NowMilliseconds);
        var pendingId = RecurringTaskIds.For("job", hourly.GetNextOccurrence(now)!.Value);
        Assert.Equal(hourly.GetNextOccurrence(now)!.Value.ToUnixTimeMilliseconds(), batch.NextDueMilliseconds);
        Assert.Equal("old", System.Text.Encoding.UTF8.GetString((await scheduler.GetAsync(pendingId))!.Task.Payload.Span));

        Assert.Equal(RecurringUpsertStatus.Updated, await scheduler.AddOrUpdateRecurringAsync("job", Payload("new"), hourly));
        Assert.Null(await scheduler.GetAsync(pendingId));
        Assert.Equal(1, (await pump.PumpAsync(default)).Added);
        Assert.Equal("new", System.Text.Encoding.UTF8.GetString((await scheduler.GetAsync(pendingId))!.Task.Payload.Span));

        Assert.True(await scheduler.RemoveRecurringAsync("job"));
        Assert.Null(await scheduler.GetAsync(pendingId));
        Assert.Equal(0, (await pump.PumpAsync(default)).Added);
    }
}
