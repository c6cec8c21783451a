using Athomic.Scheduler.Client;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Streams;
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
        var (store, recurring, _) = RedisStores.Create(redis.Connection, RedisFixture.NewPrefix());
        var definition = new RecurringDefinition(RecordingRegistry.Record, new byte[] { 1 }, RecurringSchedule.Every(TimeSpan.FromHours(1))).Write();
        Assert.Equal(RecurringUpsertStatus.Created, await recurring.UpsertRecurringAsync("job", definition, null, default));
        var due = Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries);
        var occurrence = due.WatermarkMilliseconds + 3_600_000;
        var taskId = "job@" + occurrence;

        var request = new Extensibility.RecurringAddRequest("job", due.Revision, occurrence, taskId, TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, default, taskId)), null, default, TimeSpan.FromMinutes(1));
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => recurring.AddOccurrenceAsync(request, default)));

        Assert.Equal(1, results.Count(r => r == Extensibility.RecurringAddStatus.Added));
        Assert.Equal(63, results.Count(r => r == Extensibility.RecurringAddStatus.AlreadyAdded));
        Assert.Equal(Extensibility.RecurringAddStatus.Stale, await recurring.AddOccurrenceAsync(request with { Revision = due.Revision - 1, OccurrenceMilliseconds = occurrence + 1 }, default));
        Assert.NotNull(await store.GetAsync(taskId, default));
    }

    [Fact]
    public Task Eight_workers_racing_over_one_schedule_run_each_occurrence_once() =>
        RacingWorkersRunEachOccurrenceOnceAsync(workers: 8, streams: false, occurrences: 5);

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
        var (store, recurring, _) = RedisStores.Create(redis.Connection, prefix);
        var scheduler = new StoreScheduler(store, recurring, Microsoft.Extensions.Options.Options.Create(new SchedulerOptions { KeyPrefix = prefix }));
        var pump = new RecurringPump(recurring, new SchedulerOptions(), NullLogger.Instance);
        var hourly = RecurringSchedule.Every(TimeSpan.FromHours(1));

        await scheduler.AddOrUpdateRecurringAsync("job", Payload("old"), hourly);
        Assert.Equal(1, (await pump.PumpAsync(default)).Added);
        var batch = await recurring.GetDueRecurringAsync(10, default);
        Assert.Empty(batch.Entries); // looked at again a misfire threshold (a minute) after the pending occurrence
        var now = DateTimeOffset.FromUnixTimeMilliseconds(batch.NowMilliseconds);
        var pendingId = RecurringTaskIds.For("job", hourly.GetNextOccurrence(now)!.Value);
        Assert.Equal(hourly.GetNextOccurrence(now)!.Value.ToUnixTimeMilliseconds() + 60_000, batch.NextDueMilliseconds);
        Assert.Equal("old", System.Text.Encoding.UTF8.GetString((await scheduler.GetAsync(pendingId))!.Task.Payload.Span));

        Assert.Equal(RecurringUpsertStatus.Updated, await scheduler.AddOrUpdateRecurringAsync("job", Payload("new"), hourly));
        Assert.Null(await scheduler.GetAsync(pendingId));
        Assert.Equal(1, (await pump.PumpAsync(default)).Added);
        Assert.Equal("new", System.Text.Encoding.UTF8.GetString((await scheduler.GetAsync(pendingId))!.Task.Payload.Span));

        Assert.True(await scheduler.RemoveRecurringAsync("job"));
        Assert.Null(await scheduler.GetAsync(pendingId));
        Assert.Equal(0, (await pump.PumpAsync(default)).Added);
    }

    [Fact]
    public async Task Promoting_an_occurrence_into_the_stream_adds_its_prepared_successor_in_the_same_step()
    {
        var prefix = RedisFixture.NewPrefix();
        var (store, recurring, _) = RedisStores.Create(redis.Connection, prefix);
        var queue = new RedisStreamQueue(redis.Connection, prefix, "test");
        var definition = new RecurringDefinition(RecordingRegistry.Record, new byte[] { 1 }, RecurringSchedule.Every(TimeSpan.FromHours(1))).Write();
        await recurring.UpsertRecurringAsync("job", definition, null, default);
        var entry = Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries);
        var (first, second) = (entry.WatermarkMilliseconds + 20, entry.WatermarkMilliseconds + 3_600_020);
        byte[] Envelope(long at) => TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, new byte[] { 1 }, "job@" + at));
        var add = new Extensibility.RecurringAddRequest("job", entry.Revision, first, "job@" + first, Envelope(first), second, Envelope(second), TimeSpan.FromMinutes(1));
        Assert.Equal(Extensibility.RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(add, default));

        // The occurrence falls due 20 ms after the schedule's creation; promote until the server's clock gets there.
        (int Count, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched, long Waiting) promoted = default;
        await Eventually.TrueAsync(async () => (promoted = await queue.PromoteAsync(10)).Count > 0, TimeSpan.FromSeconds(10), "the occurrence is promoted");

        Assert.Equal((1, 1), (promoted.Count, promoted.RecurringDispatched));
        var successor = await store.GetAsync("job@" + second, default);
        Assert.Equal((ScheduledTaskState.Pending, second), (successor!.State, successor.ScoreMilliseconds));
        Assert.Equal(1, await redis.Connection.GetDatabase().StreamLengthAsync("{" + prefix + "}:stream"));
    }

    [Fact]
    public Task Three_workers_on_the_streams_broker_run_each_occurrence_once() =>
        RacingWorkersRunEachOccurrenceOnceAsync(workers: 3, streams: true, occurrences: 4);

    /// <summary>
    /// Starts <paramref name="workers"/> hosts that all store the same every-second schedule at start-up, as a static
    /// schedule does; each occurrence runs once, one second apart.
    /// </summary>
    private async Task RacingWorkersRunEachOccurrenceOnceAsync(int workers, bool streams, int occurrences)
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        var hosts = Enumerable.Range(0, workers).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, streams: streams)).ToList();
        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        // One host creates the schedule, the rest see it unchanged.
        var statuses = await Task.WhenAll(hosts.Select(h => h.Services.GetRequiredService<IScheduler>().AddOrUpdateRecurringAsync("tick", Payload("t"), EverySecond)));
        Assert.Equal(1, statuses.Count(s => s == RecurringUpsertStatus.Created));

        await registry.WhenDistinctRuns(occurrences, TimeSpan.FromSeconds(30));
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.All(registry.Runs, run => Assert.Equal(1, run.Value));
        var times = registry.Runs.Keys.Select(id => long.Parse(id[(id.IndexOf('@') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(1000, pair.Second - pair.First));
        Assert.All(registry.Runs.Keys, id => Assert.StartsWith("tick@", id, StringComparison.Ordinal));
    }
}
