using Athomic.Scheduler.Streams;
using System.Diagnostics;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// At-least-once through the streams broker, proved with real processes: three chaos workers share 20,000 tasks due
/// over 10 s while one of them is SIGKILLed at random moments and restarted. Every handler run is counted in Redis.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int TaskCount = 20_000;
    private const int Workers = 3;
    private const int Kills = 4;
    private const int VisibilityMs = 3000;

    [Fact]
    public async Task Killing_workers_at_random_loses_nothing_and_duplicates_stay_within_what_was_in_flight()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var db = connection.GetDatabase();
        const string prefix = "chaos", runsKey = "chaos:runs";
        RedisKey stream = "{chaos}:stream";
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var generation = 0;
        Task<WorkerProcess> Start(int slot) =>
            WorkerProcess.StartAsync(server.ConnectionString, prefix, $"w{slot}-g{Interlocked.Increment(ref generation)}", runsKey, workMs: 1, VisibilityMs);
        var workers = await Task.WhenAll(Enumerable.Range(0, Workers).Select(Start));
        try
        {
            using var scheduling = Hosts.Redis(connection, prefix, new RecordingRegistry(), o => o.Worker.Enabled = false);
            var requests = Enumerable.Range(0, TaskCount)
                .Select(i => ScheduleRequest.After(new GenericTask("chaos.run", default, "c" + i), TimeSpan.FromMilliseconds(i * 10_000.0 / TaskCount)))
                .ToList();
            var clock = Stopwatch.StartNew();
            await scheduling.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(requests);

            // The kill moments are the chaos itself (random, within the 10 s of due times), not synchronisation.
            long inFlightAtKills = 0;
            foreach (var at in Enumerable.Range(0, Kills).Select(_ => 500 + random.Next(9_000)).Order())
            {
                var wait = at - clock.ElapsedMilliseconds;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                }

                var slot = random.Next(Workers);
                var victim = workers[slot];
                await victim.KillAsync();
                var pending = await db.StreamPendingAsync(stream, RedisStreamQueue.GroupName);
                var held = pending.Consumers.Where(c => c.Name == victim.Consumer).Sum(c => (long)c.PendingMessageCount);
                inFlightAtKills += held;
                output.WriteLine($"kill at {clock.ElapsedMilliseconds} ms: {victim.Consumer} held {held} entries");
                workers[slot] = await Start(slot);
            }

            await Eventually.TrueAsync(
                async () => await db.HashLengthAsync(runsKey) >= TaskCount && await db.StreamLengthAsync(stream) == 0,
                TimeSpan.FromSeconds(120),
                "every task ran and the stream is empty");
            var runs = (await db.HashValuesAsync(runsKey)).Sum(v => (long)v);
            var distinct = await db.HashLengthAsync(runsKey);
            var lost = TaskCount - distinct;
            var duplicates = runs - distinct;
            var summary = $"chaos: tasks {TaskCount}, workers {Workers}, kills {Kills}, lost {lost}, duplicates {duplicates} " +
                $"(bound: {inFlightAtKills} entries held by the killed workers), total {clock.Elapsed.TotalSeconds:F1} s, seed {seed}";
            output.WriteLine(summary);
            Console.WriteLine(summary);

            Assert.Equal(0, lost);
            Assert.InRange(duplicates, 0, inFlightAtKills);
            Assert.All(workers, w => Assert.False(w.HasExited, "a worker that was not killed crashed: " + w.Output));
            Assert.DoesNotContain(workers, w => w.Output.Contains("Unhandled exception", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }
}
