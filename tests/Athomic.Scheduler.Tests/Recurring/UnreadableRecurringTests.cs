using System.Buffers;
using Athomic.Scheduler.Client;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>
/// A definition one host cannot read (written by a newer version, or naming a time zone that host lacks) is that
/// host's problem only: the schedule stays for the hosts that can read it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class UnreadableRecurringTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_definition_of_a_newer_version_is_re_indexed_with_backoff_not_finished()
    {
        var prefix = RedisFixture.NewPrefix();
        var (store, recurring, _) = RedisStores.Create(redis.Connection, prefix);
        var options = new SchedulerOptions();
        options.Worker.MaxPollDelay = TimeSpan.FromMilliseconds(100); // the grace other hosts get before it is re-indexed
        var pump = new RecurringPump(recurring, options, NullLogger.Instance);
        Assert.Equal(RecurringUpsertStatus.Created, await recurring.UpsertRecurringAsync("job", NewerDefinition(), null, default));
        var db = redis.Connection.GetDatabase();
        var due = "{" + prefix + "}:recurring:due";

        var backoffs = new List<long>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // Left due for the other hosts during the grace, then re-indexed (never finished).
            await Eventually.TrueAsync(
                async () =>
                {
                    Assert.Equal(0, (await pump.PumpAsync(default)).Added);
                    return await db.SortedSetScoreAsync(due, "job") is not 0;
                },
                Timeout,
                "the schedule is re-indexed");
            var batch = await recurring.GetDueRecurringAsync(10, default);
            Assert.Empty(batch.Entries);
            var score = await db.SortedSetScoreAsync(due, "job");
            Assert.True(score is not null, "the schedule is still indexed for the hosts that can read it");
            Assert.Equal((long)score, batch.NextDueMilliseconds);
            backoffs.Add((long)score - batch.NowMilliseconds);
            await db.SortedSetAddAsync(due, "job", 0); // due again at once, as if its backoff had passed
        }

        Assert.True(await db.HashExistsAsync("{" + prefix + "}:recurring", "job"));
        Assert.InRange(backoffs[0], 1, 1_000);
        Assert.InRange(backoffs[1], 1_001, 2_000);
        Assert.InRange(backoffs[2], 2_001, 4_000);
    }

    [Fact]
    public async Task A_host_lacking_the_time_zone_leaves_the_schedule_to_a_host_that_has_it()
    {
        // A separate worker process with an empty time zone database (TZDIR) cannot read "Europe/Berlin".
        var prefix = RedisFixture.NewPrefix();
        var noZones = Directory.CreateTempSubdirectory("athomic-no-zones");
        try
        {
            await using var blind = await WorkerProcess.StartWithEnvironmentAsync(
                new Dictionary<string, string> { ["TZDIR"] = noZones.FullName },
                redis.Server.ConnectionString,
                prefix,
                "blind",
                prefix + ":runs",
                workMs: 0,
                visibilityMs: 30_000,
                extraArgs:
                [
                    "--Chaos:Broker=inprocess",
                    "--Athomic:Scheduler:Worker:MaxPollDelay=00:00:00.500", // as the host that can read it (Hosts.Redis)
                    "--Athomic:Scheduler:Execution:MaxAttempts=1000", // occurrences it claims (unknown handler here) go back at once
                    "--Athomic:Scheduler:Execution:RetryBaseDelay=00:00:00.010",
                    "--Athomic:Scheduler:Execution:RetryMaxDelay=00:00:00.050",
                ]);
            var (store, recurring, _) = RedisStores.Create(redis.Connection, prefix);
            var scheduler = new StoreScheduler(store, recurring, Options.Create(new SchedulerOptions { KeyPrefix = prefix }));
            await scheduler.AddOrUpdateRecurringAsync("berlin", new GenericTask(RecordingRegistry.Record, default), RecurringSchedule.Cron("* * * * * *", "Europe/Berlin"));

            // The blind worker has looked at it (and failed to read it) before any host that can read it runs.
            var db = redis.Connection.GetDatabase();
            await Eventually.TrueAsync(async () => await db.SortedSetScoreAsync("{" + prefix + "}:recurring:due", "berlin") is not 0, Timeout, "the blind worker looked at the schedule");
            await Eventually.TrueAsync(() => blind.Output.Contains("berlin", StringComparison.Ordinal), Timeout, "the blind worker logged that it cannot read the schedule");

            var registry = new RecordingRegistry();
            var logs = new LogCapture();
            using var host = Hosts.Redis(redis.Connection, prefix, registry, customize: b => b.Logging.AddProvider(logs));
            await host.StartAsync();
            try
            {
                await registry.WhenDistinctRuns(2, Timeout);
            }
            catch (TimeoutException)
            {
                var pending = await db.SortedSetRangeByRankWithScoresAsync("{" + prefix + "}:pending");
                var state = await db.HashGetAllAsync("{" + prefix + "}:recurring:state");
                var time = await db.ExecuteAsync("TIME");
                throw new TimeoutException($"runs: {string.Join(",", registry.Runs.Keys)}; pending: {string.Join(",", pending)}; due: {await db.SortedSetScoreAsync("{" + prefix + "}:recurring:due", "berlin")}; state: {string.Join(",", state)}; time {string.Join(" ", (string[])time!)}; reader: {string.Join(" | ", logs.Entries.Select(e => e.Level + " " + e.Message))}; blind: {blind.Output}");
            }

            await host.StopAsync();
            Assert.All(registry.Runs.Keys, id => Assert.StartsWith("berlin@", id, StringComparison.Ordinal));
        }
        finally
        {
            noZones.Delete(recursive: true);
        }
    }

    /// <summary>A definition as a later version might write it: version 2, one more field.</summary>
    private static byte[] NewerDefinition()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(8);
        writer.Write(2);
        writer.Write(RecordingRegistry.Record);
        writer.Write(ReadOnlySpan<byte>.Empty);
        writer.WriteNil();
        writer.WriteNil();
        writer.Write(1000L);
        writer.Write(0);
        writer.Write("a field this version does not know");
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
