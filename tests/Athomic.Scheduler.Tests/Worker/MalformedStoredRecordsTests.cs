using static Athomic.Scheduler.Tests.Infrastructure.Packed;
using System.Buffers;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>Malformed records written straight into a real redis-server: each one is isolated with a reason, the host lives.</summary>
[Collection(RedisCollection.Name)]
public sealed class MalformedStoredRecordsTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Hostile_envelopes_are_dead_lettered_with_a_reason_and_the_worker_keeps_running()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        var db = redis.Connection.GetDatabase();
        var hostile = new Dictionary<string, byte[]>
        {
            ["deep"] = Envelope("deep", (ref MessagePackWriter w) => w.WriteRaw(Nested(100_000))), // an appended field nested 100,000 deep
            ["huge-attempt"] = Pack((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(5);
                w.Write(1);
                w.Write("huge-attempt");
                w.Write(RecordingRegistry.Record);
                w.Write(new byte[] { 1 });
                w.Write(ulong.MaxValue);
            }),
            ["lying-length"] = Convert.FromHexString("9501ac6c79696e672d6c656e677468a168c6fffffff0"), // payload claims ~4 GB
        };
        foreach (var (id, envelope) in hostile)
        {
            await db.HashSetAsync("{" + prefix + "}:tasks", id, envelope);
            await db.SortedSetAddAsync("{" + prefix + "}:pending", id, 0);
        }

        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "good"), TimeSpan.Zero);
        using var metrics = new MetricWaiter(prefix);
        await host.StartAsync();
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, hostile.Count, Timeout);
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "still-alive"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(2, Timeout);
        var letters = await new RedisDeadLetterStore(new RedisSchedule(redis.Connection, prefix)).GetDeadLettersAsync(10, default);
        await host.StopAsync();

        Assert.Equal(hostile.Keys.Order(), letters.Select(l => l.TaskId).Order());
        Assert.All(letters, l => Assert.StartsWith("Unreadable envelope: ", l.Reason));
        Assert.All(letters, l => Assert.Equal(hostile[l.TaskId], l.Envelope.ToArray()));
        Assert.Equal(["good", "still-alive"], registry.Runs.Keys.Order());
    }

    [Fact]
    public async Task Damaged_dead_letter_records_are_still_listed_each_with_why_it_cannot_be_read()
    {
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisDeadLetterStore(new RedisSchedule(redis.Connection, prefix));
        var db = redis.Connection.GetDatabase();
        var good = new DeadLetter("good", new byte[] { 1 }, "handler failed", 3, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000)).Encode();
        var damaged = new Dictionary<string, byte[]>
        {
            ["overflowing-attempts"] = Pack((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(6);
                w.Write(1);
                w.Write("overflowing-attempts");
                w.Write(new byte[] { 1 });
                w.Write("why");
                w.Write(ulong.MaxValue);
                w.Write(0L);
            }),
            ["failed-after-9999"] = Pack((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(6);
                w.Write(1);
                w.Write("failed-after-9999");
                w.Write(new byte[] { 1 });
                w.Write("why");
                w.Write(1);
                w.Write(long.MaxValue);
            }),
            ["garbage"] = [0xC1, 0xFF],
        };
        var score = 1;
        foreach (var (id, record) in damaged.Append(KeyValuePair.Create("good", good)))
        {
            await db.HashSetAsync("{" + prefix + "}:dead", id, record);
            await db.SortedSetAddAsync("{" + prefix + "}:dead:index", id, score++);
        }

        var page = await store.ListDeadLettersAsync(0, 10, default);
        var single = await store.GetDeadLetterAsync("overflowing-attempts", default);

        Assert.Equal(4, page.Total);
        Assert.Equal(("good", "handler failed", 3), page.Items.Where(l => l.TaskId == "good").Select(l => (l.TaskId, l.Reason, l.Attempts)).Single());
        foreach (var letter in page.Items.Where(l => l.TaskId != "good"))
        {
            Assert.Contains("dead-letter record", letter.Reason);
            Assert.Equal(damaged[letter.TaskId], letter.Envelope.ToArray());
        }

        Assert.Equal(damaged.Keys.Order(), page.Items.Select(l => l.TaskId).Where(id => id != "good").Order());
        Assert.Contains("dead-letter record", single!.Reason);
    }


    /// <summary>A valid envelope of <paramref name="id"/> with one appended field.</summary>
    private static byte[] Envelope(string id, Writes appended) => Pack((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(6);
        w.Write(1);
        w.Write(id);
        w.Write(RecordingRegistry.Record);
        w.Write(new byte[] { 1 });
        w.Write(1);
        appended(ref w);
    });

    private static byte[] Nested(int depth)
    {
        var bytes = new byte[depth + 1];
        bytes.AsSpan(0, depth).Fill(0x91);
        return bytes;
    }
}
