using static Athomic.Scheduler.Tests.Infrastructure.Packed;
using System.Buffers;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// 10,000 random or corrupted tasks written straight into Redis (schedule and stream) next to good ones: the worker
/// keeps running, every bad one ends in the dead letters with a reason, every good one runs.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int BadCount = 10_000;
    private const int GoodCount = 500;
    private const int Kinds = 12;

    [Fact]
    public async Task Corrupt_input_is_dead_lettered_with_a_reason_and_good_tasks_still_run()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var db = connection.GetDatabase();
        const string prefix = "fuzz";
        var random = new Random(12345);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var writes = new List<Task>();
        for (var i = 0; i < BadCount; i++)
        {
            var id = "bad-" + i;
            var kind = i % Kinds;
            if (kind < 9)
            {
                expected.Add(id);
                if (kind != 8)
                {
                    writes.Add(db.HashSetAsync("{fuzz}:tasks", id, BadEnvelope(kind, id, random)));
                }

                writes.Add(db.SortedSetAddAsync("{fuzz}:pending", id, random.Next(1000)));
                continue;
            }

            NameValueEntry[] fields = kind switch
            {
                9 => [new("x", RandomBytes(random)), new("e", TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, default, id)))],
                10 => [new("t", id), new("e", RandomBytes(random)), new("d", "not a number")],
                _ => [new("t", "has space " + i), new("e", TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, default, id)))],
            };
            var entryId = (string)(await db.StreamAddAsync("{fuzz}:stream", fields))!;
            expected.Add(kind == 10 ? id : "stream-" + entryId);
        }

        await Task.WhenAll(writes);
        var registry = new RecordingRegistry();
        using var host = Hosts.RedisStreams(connection, prefix, registry, o => o.Execution.MaxAttempts = 2);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, GoodCount).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "good-" + i), TimeSpan.Zero)).ToList());
        using var metrics = new MetricWaiter(prefix);

        await host.StartAsync();
        await registry.WhenDistinctRuns(GoodCount, TimeSpan.FromSeconds(60));
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, BadCount, TimeSpan.FromSeconds(120));
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "still-alive"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(GoodCount + 1, TimeSpan.FromSeconds(30));
        var letters = new Dictionary<string, DeadLetter>(StringComparer.Ordinal);
        var dead = host.Services.GetRequiredService<IDeadLetterQueue>();
        for (var offset = 0; ; offset += 1000)
        {
            var page = await dead.ListAsync(offset, 1000);
            foreach (var letter in page.Items)
            {
                letters[letter.TaskId] = letter;
            }

            if (page.Items.Count < 1000)
            {
                break;
            }
        }

        await host.StopAsync();
        var reasons = letters.Values.GroupBy(l => Category(l.Reason)).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} × {g.Key}");
        var summary = $"fuzz: {BadCount} bad tasks -> {letters.Count} dead letters; {registry.DistinctRuns} good tasks ran; reasons: {string.Join("; ", reasons)}";
        output.WriteLine(summary);
        Console.WriteLine(summary);

        Assert.Equal(BadCount, letters.Count);
        Assert.All(expected, id => Assert.False(string.IsNullOrWhiteSpace(letters[id].Reason)));
        Assert.Equal(GoodCount + 1, registry.TotalRuns);
        Assert.All(registry.Runs.Keys, id => Assert.True(id.StartsWith("good-", StringComparison.Ordinal) || id == "still-alive", id));
        Assert.Equal(0, await db.StreamLengthAsync("{fuzz}:stream"));
        Assert.Equal(0, await db.SortedSetLengthAsync("{fuzz}:pending"));
    }

    private static byte[] BadEnvelope(int kind, string id, Random random)
    {
        var good = TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, new byte[] { 1, 2, 3 }, id));
        return kind switch
        {
            0 => RandomBytes(random),
            1 => good[..random.Next(good.Length - 1)],
            2 => Pack((ref MessagePackWriter w) => { w.WriteArrayHeader(5); w.Write(2); w.Write(id); w.Write(RecordingRegistry.Record); w.Write(new byte[] { 1 }); w.Write(1); }),
            3 => Pack((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1); w.Write(id); }),
            4 => TaskEnvelope.Write(new GenericTask(RecordingRegistry.Record, default, "other-" + id)),
            5 => Pack((ref MessagePackWriter w) => { w.WriteArrayHeader(5); w.Write(1); w.Write(id); w.Write("bad handler"); w.Write(new byte[] { 1 }); w.Write(0); }),
            6 => TaskEnvelope.Write(new GenericTask("fuzz.unknown." + random.Next(100), default, id)),
            _ => TaskEnvelope.Write(new GenericTask(RecordingRegistry.Typed, new byte[] { 0xC1 }, id)), // not a MessagePack string
        };
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 64)];
        random.NextBytes(bytes);
        return bytes;
    }


    private static readonly string[] KnownReasons =
    [
        "details are missing", "not valid MessagePack", "incompatible version", "this one has", "belongs to task",
        "invalid task id, handler name or attempt", "No handler named", "payload of handler", "has no task id", "task id is invalid",
    ];

    private static string Category(string reason) =>
        KnownReasons.FirstOrDefault(k => reason.Contains(k, StringComparison.Ordinal)) ?? reason[..Math.Min(40, reason.Length)];
}
