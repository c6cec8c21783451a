using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Streams;
using static Athomic.Scheduler.Tests.Infrastructure.Packed;
using System.Buffers;
using System.Diagnostics;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using MessagePack;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Envelope;

/// <summary>
/// Seeded fuzz of every decoder of stored bytes, in process: 10,000 random or mutated-valid inputs per stored kind
/// (envelopes, recurring definitions, dead-letter records, stream entries). Each input goes down the path the
/// runtime takes with it; the only exception allowed out is the documented one, and whatever cannot be read comes
/// back with a reason. (The end-to-end fuzz against redis-server is <c>Streams.FuzzTests</c>.)
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 10_000;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
    private static readonly TimeProvider Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);

    /// <summary>Values a corrupted or hostile field may hold: integer edges, wrong types, deep nesting, lying headers.</summary>
    private static readonly byte[][] Nasty =
    [
        Pack((ref MessagePackWriter w) => w.Write(ulong.MaxValue)),
        Pack((ref MessagePackWriter w) => w.Write(long.MinValue)),
        Pack((ref MessagePackWriter w) => w.Write(long.MaxValue)),
        Pack((ref MessagePackWriter w) => w.Write((long)int.MaxValue + 1)),
        Pack((ref MessagePackWriter w) => w.Write(int.MinValue)),
        Pack((ref MessagePackWriter w) => w.Write(-1)),
        Pack((ref MessagePackWriter w) => w.Write(0)),
        Pack((ref MessagePackWriter w) => w.Write(253_402_300_800_000L)),
        Pack((ref MessagePackWriter w) => w.Write(double.NaN)),
        Pack((ref MessagePackWriter w) => w.Write(true)),
        Pack((ref MessagePackWriter w) => w.WriteNil()),
        Pack((ref MessagePackWriter w) => w.Write(string.Empty)),
        Pack((ref MessagePackWriter w) => w.Write("has space")),
        Pack((ref MessagePackWriter w) => w.Write("0 0 31 2 *")),
        Pack((ref MessagePackWriter w) => w.Write("Not/AZone")),
        Pack((ref MessagePackWriter w) => w.Write("../../etc/passwd")),
        Pack((ref MessagePackWriter w) => w.Write(new byte[] { 0xC1 })),
        Pack((ref MessagePackWriter w) => w.WriteExtensionFormat(new ExtensionResult(-1, new byte[] { 1, 2, 3, 4 }))),
        Pack((ref MessagePackWriter w) => w.WriteMapHeader(0)),
        [0xDD, 0xFF, 0xFF, 0xFF, 0xFF], // array of 2^32-1 elements, no elements
        [0xDF, 0x7F, 0xFF, 0xFF, 0xFF], // map of 2^31-1 entries, no entries
        [0xDB, 0xFF, 0xFF, 0xFF, 0xF0], // str of ~4 GB, no bytes
        [0xC6, 0x7F, 0xFF, 0xFF, 0xFF], // bin of 2 GB, no bytes
        [0xC1],
        Nest(0x91, 100),
        Nest(0x91, 100_000),
        Nest(0x81, 10_000),
    ];

    [Fact]
    public void Envelopes()
    {
        var (readable, refused) = Run(1, random =>
        {
            var bytes = Mutate(random, ValidEnvelope(random));
            GenericTask? task = null;
            try
            {
                task = TaskEnvelope.Read(bytes, Now);
            }
            catch (TaskEnvelopeException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            }

            if (task is not null)
            {
                Assert.True(TaskIds.IsValid(task.TaskId) && TaskIds.IsValid(task.Handler) && task.Attempt >= 1);
            }

            // As a worker reads it (stored under some id), and as a dead letter holding it.
            var ok = LeaseOutcome.TryRead(task?.TaskId ?? "stored-id", bytes, Now, out var read, out var reason);
            Assert.Equal(task is not null, ok);
            Assert.True(ok ? read is not null : !string.IsNullOrWhiteSpace(reason));
            Assert.Equal(task is null, new DeadLetter("stored-id", bytes, "why", 1, Now).TryReadTask() is null);
            return task is not null;
        });

        Assert.True(readable > 0 && refused > Cases / 2, $"{readable} readable, {refused} refused");
    }

    [Fact]
    public void Recurring_definitions()
    {
        var (readable, refused) = Run(2, random =>
        {
            var bytes = Mutate(random, ValidDefinition(random));
            RecurringDefinition definition;
            try
            {
                definition = RecurringDefinition.Read(bytes);
            }
            catch (TaskEnvelopeException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                return false;
            }

            // What the recurring pump does with a readable definition: plan, name and write the next occurrences.
            var watermark = Now.AddSeconds(-random.Next(0, 120));
            var next = OccurrencePlanner.Next(definition.Schedule, watermark, Now, TimeSpan.FromSeconds(30));
            if (next is { } occurrence)
            {
                var taskId = RecurringTaskIds.For("fuzz-schedule", occurrence);
                Assert.NotEmpty(TaskEnvelope.Write(new GenericTask(definition.Handler, definition.Payload, taskId)));
                _ = definition.Schedule.GetNextOccurrence(occurrence);
            }

            Assert.Equal(definition.Write(), RecurringDefinition.Read(definition.Write()).Write());
            return true;
        });

        Assert.True(readable > 0 && refused > Cases / 2, $"{readable} readable, {refused} refused");
    }

    [Fact]
    public void Dead_letter_records()
    {
        var (readable, refused) = Run(3, random =>
        {
            var bytes = Mutate(random, ValidDeadLetter(random));
            DeadLetter? decoded = null;
            try
            {
                decoded = DeadLetter.Decode(bytes);
            }
            catch (TaskEnvelopeException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message));
            }

            // As the stores list it: always listable; a damaged record keeps its bytes and says why.
            var listed = DeadLetter.DecodeOrRaw("stored-id", bytes);
            if (decoded is null)
            {
                Assert.Equal(("stored-id", 0), (listed.TaskId, listed.Attempts));
                Assert.Equal(bytes, listed.Envelope.ToArray());
                Assert.Contains("dead-letter record", listed.Reason);
            }

            _ = listed.TryReadTask();
            return decoded is not null;
        });

        Assert.True(readable > 0 && refused > Cases / 2, $"{readable} readable, {refused} refused");
    }

    [Fact]
    public void Stream_entries()
    {
        var (runnable, deadLettered) = Run(4, random =>
        {
            var entryId = random.Next(4) == 0 ? RandomText(random) : $"{random.NextInt64(0, long.MaxValue)}-{random.Next(100)}";
            var partition = random.Next(0, 64);
            var fields = StreamFields(random);

            // What StreamEntryRunner.RunAsync does with a delivered entry, up to the handler or the dead letter.
            var delivery = StreamDelivery.Parse(entryId, fields, partition);
            Assert.True(TaskIds.IsValid(delivery.TaskId) || delivery.TaskId == "stream-" + entryId);
            Assert.Equal((partition, entryId), StreamDelivery.ParseReceipt(delivery.Receipt));
            var due = delivery.DueMilliseconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(delivery.DueMilliseconds) : (DateTimeOffset?)null;
            var reason = delivery.Problem;
            if (reason is null && LeaseOutcome.TryRead(delivery.TaskId, delivery.Envelope, due, out var task, out reason))
            {
                Assert.Equal(delivery.TaskId, task.TaskId);
                return true;
            }

            Assert.False(string.IsNullOrWhiteSpace(reason));
            var record = DeadLetter.Decode(LeaseOutcome.UnreadableRecord(delivery.TaskId, delivery.Envelope, reason!, Clock));
            Assert.Equal((delivery.TaskId, reason), (record.TaskId, record.Reason));
            Assert.Equal(delivery.Envelope.ToArray(), record.Envelope.ToArray());
            return false;
        });

        Assert.True(runnable > 0 && deadLettered > Cases / 2, $"{runnable} runnable, {deadLettered} dead-lettered");
    }

    /// <summary>Runs <see cref="Cases"/> seeded cases; a case returns whether its input was readable.</summary>
    private (int Readable, int Refused) Run(int seed, Func<Random, bool> @case, [System.Runtime.CompilerServices.CallerMemberName] string kind = "")
    {
        var random = new Random(seed);
        var readable = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Cases; i++)
        {
            // One Random per case, seeded from the run's: a failing case names its seed and replays alone.
            var caseSeed = random.Next();
            try
            {
                readable += @case(new Random(caseSeed)) ? 1 : 0;
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"{kind}: case {i} (seed {caseSeed}) let {ex.GetType().Name} out: {ex}");
            }
        }

        var summary = $"decoder fuzz {kind}: {Cases} cases, {readable} readable, {Cases - readable} refused with a reason, {watch.ElapsedMilliseconds} ms";
        output.WriteLine(summary);
        return (readable, Cases - readable);
    }

    private static byte[][] ValidEnvelope(Random random)
    {
        var id = random.Next(8) == 0 ? new string('x', TaskIds.MaxLength) : "task-" + random.Next();
        var task = new GenericTask("h." + random.Next(100), RandomBytes(random, 16), id).WithExecution(random.Next(1, 10), null);
        return Fields(TaskEnvelope.Write(task));
    }

    private static byte[][] ValidDefinition(Random random)
    {
        string[] crons = ["*/5 * * * *", "0 9 * * MON-FRI", "*/10 * * * * *", "0 0 1 1 *", "30 2 * * *"];
        string?[] zones = [null, "UTC", "Europe/Paris", "America/New_York"];
        var schedule = random.Next(2) == 0
            ? RecurringSchedule.Every(TimeSpan.FromSeconds(random.Next(1, 100_000)))
            : RecurringSchedule.Cron(crons[random.Next(crons.Length)], zones[random.Next(zones.Length)]);
        schedule = schedule with { Misfire = (MisfirePolicy)random.Next(3) };
        return Fields(new RecurringDefinition("h." + random.Next(100), RandomBytes(random, 16), schedule).Write());
    }

    private static byte[][] ValidDeadLetter(Random random)
    {
        var envelope = random.Next(2) == 0 ? TaskEnvelope.Write(new GenericTask("h", RandomBytes(random, 8), "d-" + random.Next())) : RandomBytes(random, 16);
        var failedAt = DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(0, 4_000_000_000_000));
        return Fields(new DeadLetter("d-" + random.Next(), envelope, "reason " + random.Next(), random.Next(0, 20), failedAt).Encode());
    }

    private static RedisValue[] StreamFields(Random random)
    {
        var id = "task-" + random.Next();
        RedisValue[] names = ["t", "e", "d", "x", "T", string.Empty];
        RedisValue Value(string name) => random.Next(9) switch
        {
            0 => RandomBytes(random, 48),
            1 => RedisValue.EmptyString,
            2 => RandomText(random),
            _ => name switch
            {
                "t" => random.Next(5) == 0 ? "has space" : id,
                "e" when random.Next(2) == 0 => TaskEnvelope.Write(new GenericTask("h", RandomBytes(random, 8), id)),
                "e" => Mutate(random, Fields(TaskEnvelope.Write(new GenericTask("h", RandomBytes(random, 8), id)))),
                "d" => random.Next(7) switch
                {
                    0 => "NaN",
                    1 => "-Infinity",
                    2 => "1e300",
                    3 => "99999999999999999",
                    4 => "-5",
                    5 => (Now.ToUnixTimeMilliseconds() + 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => Now.ToUnixTimeMilliseconds(),
                },
                _ => RandomBytes(random, 8),
            },
        };

        var fields = new List<RedisValue>();
        var count = random.Next(0, 5);
        var order = new[] { "t", "e", "d" }.OrderBy(_ => random.Next()).ToList();
        for (var i = 0; i < count; i++)
        {
            var name = i < order.Count && random.Next(5) != 0 ? (RedisValue)order[i] : names[random.Next(names.Length)];
            fields.Add(name);
            fields.Add(Value((string)name!));
        }

        if (random.Next(10) == 0)
        {
            fields.Add("dangling"); // an odd count of fields and values
        }

        return [.. fields];
    }

    /// <summary>The top-level fields of a valid array record, each as its raw bytes.</summary>
    private static byte[][] Fields(byte[] record)
    {
        var reader = new MessagePackReader(record);
        var count = reader.ReadArrayHeader();
        var fields = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            fields[i] = reader.ReadRaw().ToArray();
        }

        return fields;
    }

    /// <summary>A valid record's fields, mutated: structurally (fields replaced, dropped, appended; a lying count) and/or byte by byte.</summary>
    private static byte[] Mutate(Random random, byte[][] valid)
    {
        if (random.Next(20) == 0)
        {
            return RandomBytes(random, 64); // pure noise
        }

        var fields = valid.ToList();
        var structural = random.Next(4);
        for (var m = 0; m < structural; m++)
        {
            switch (random.Next(4))
            {
                case 0: fields[random.Next(fields.Count)] = Nasty[random.Next(Nasty.Length)]; break;
                case 1 when fields.Count > 1: fields.RemoveAt(random.Next(1, fields.Count)); break;
                case 2: fields.Add(random.Next(3) == 0 ? RandomBytes(random, 16) : Nasty[random.Next(Nasty.Length)]); break;
                default: fields.Insert(random.Next(fields.Count + 1), Nasty[random.Next(Nasty.Length)]); break;
            }
        }

        var count = random.Next(10) == 0 ? fields.Count + random.Next(-2, 3) : fields.Count;
        var bytes = Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(Math.Max(0, count));
            foreach (var field in fields)
            {
                w.WriteRaw(field);
            }
        });

        switch (structural == 0 ? random.Next(1, 4) : random.Next(4))
        {
            case 1: // flip a few bytes
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
                }

                return bytes;
            case 2: // cut short
                return bytes[..random.Next(bytes.Length)];
            case 3: // noise inserted somewhere
                var at = random.Next(bytes.Length + 1);
                return [.. bytes[..at], .. RandomBytes(random, 8), .. bytes[at..]];
            default:
                return bytes;
        }
    }

    private static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(0, maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(0, 12)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)random.Next(0, 0x3000);
        }

        return new string(chars);
    }

    private static byte[] Nest(byte container, int depth)
    {
        var bytes = new byte[container == 0x81 ? (2 * depth) + 1 : depth + 1];
        for (var i = 0; i < depth; i++)
        {
            bytes[container == 0x81 ? 2 * i : i] = container;
        }

        return bytes;
    }
}
