using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Streams;
using static Athomic.Scheduler.Tests.Infrastructure.Packed;
using System.Buffers;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using MessagePack;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Envelope;

/// <summary>
/// Every decoder of bytes read from storage refuses malformed input with its documented exception (or a reason),
/// never with another exception and never by taking the process down.
/// </summary>
public sealed class MalformedStoredBytesTests
{
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    [Theory]
    [InlineData(0x91)] // [[[…]]]
    [InlineData(0x92)] // [[[…, 0], 0], 0]
    [InlineData(0x81)] // {k: {k: {…}}}
    public void Envelope_with_an_appended_field_nested_100000_deep_is_refused_without_overflowing_the_stack(byte container)
    {
        var bytes = EnvelopeWithAppended(container switch { 0x91 => Nested(100_000), 0x92 => NestedWithSiblings(100_000), _ => NestedMaps(100_000) });

        var ex = Assert.Throws<TaskEnvelopeException>(() => TaskEnvelope.Read(bytes));

        Assert.Contains("nested deeper than", ex.Message);
        Assert.False(LeaseOutcome.TryRead("id", bytes, null, out _, out var reason));
        Assert.StartsWith("Unreadable envelope: ", reason);
        Assert.Null(new DeadLetter("id", bytes, "why", 1, DateTimeOffset.UnixEpoch).TryReadTask());
    }

    [Theory]
    [InlineData("9501a26964a168c67fffffff")] // payload: bin 32 claiming 2 GB, none there
    [InlineData("9501a26964a168c6fffffff0")] // payload: bin 32 claiming ~4 GB
    [InlineData("9501a26964dbfffffff0")] // handler: str 32 claiming ~4 GB
    public void Envelope_whose_field_claims_more_bytes_than_it_has_is_refused_with_a_TaskEnvelopeException(string hex)
    {
        var bytes = Convert.FromHexString(hex);

        Assert.Throws<TaskEnvelopeException>(() => TaskEnvelope.Read(bytes));
        Assert.False(LeaseOutcome.TryRead("id", bytes, null, out _, out var reason));
        Assert.StartsWith("Unreadable envelope: ", reason);
    }

    [Fact]
    public void Appended_fields_nested_up_to_the_limit_are_still_skipped()
    {
        var bytes = EnvelopeWithAppended(Nested(TaskEnvelope.MaxAppendedFieldDepth), Map(Nested(3)), "tail");

        var task = TaskEnvelope.Read(bytes);

        Assert.Equal(("id", "h", 1), (task.TaskId, task.Handler, task.Attempt));
        Assert.Throws<TaskEnvelopeException>(() => TaskEnvelope.Read(EnvelopeWithAppended(Nested(TaskEnvelope.MaxAppendedFieldDepth + 1))));
    }

    [Theory]
    [InlineData(0)] // version: does not fit an int
    [InlineData(5)] // interval ms: does not fit a long
    [InlineData(6)] // misfire: does not fit an int
    public void Recurring_definition_with_an_integer_out_of_range_is_refused_with_a_TaskEnvelopeException(int field)
    {
        var bytes = Definition(field, (ref MessagePackWriter w) => w.Write(ulong.MaxValue));

        var ex = Assert.Throws<TaskEnvelopeException>(() => RecurringDefinition.Read(bytes));

        Assert.Contains("recurring definition", ex.Message);
    }

    [Theory]
    [InlineData(long.MaxValue)] // beyond TimeSpan
    [InlineData(1500)] // not whole seconds
    [InlineData(-1000)]
    public void Recurring_definition_with_an_interval_that_cannot_occur_is_refused(long intervalMs)
    {
        var bytes = Definition(5, (ref MessagePackWriter w) => w.Write(intervalMs));

        Assert.Throws<TaskEnvelopeException>(() => RecurringDefinition.Read(bytes));
    }

    [Theory]
    [InlineData("bad handler")]
    [InlineData("")]
    [InlineData("h{x}")]
    public void Recurring_definition_with_an_invalid_handler_name_is_refused(string handler)
    {
        // Read accepted it and the pump then threw ArgumentException from new GenericTask(handler, ...).
        var bytes = Definition(1, (ref MessagePackWriter w) => w.Write(handler));

        var ex = Assert.Throws<TaskEnvelopeException>(() => RecurringDefinition.Read(bytes));

        Assert.Contains("handler", ex.Message);
    }

    [Fact]
    public void Recurring_definition_with_an_unknown_misfire_policy_is_refused()
    {
        var bytes = Definition(6, (ref MessagePackWriter w) => w.Write(7));

        var ex = Assert.Throws<TaskEnvelopeException>(() => RecurringDefinition.Read(bytes));

        Assert.Contains("misfire policy 7", ex.Message);
    }

    [Fact]
    public void An_interval_schedule_has_no_occurrence_past_the_last_representable_instant()
    {
        var schedule = RecurringSchedule.Every(TimeSpan.FromDays(365 * 5000));

        var first = schedule.GetNextOccurrence(DateTimeOffset.UnixEpoch);

        Assert.NotNull(first);
        Assert.Null(schedule.GetNextOccurrence(first.Value));
        Assert.Null(RecurringSchedule.Every(TimeSpan.FromSeconds(1)).GetNextOccurrence(DateTimeOffset.MaxValue));
    }

    [Theory]
    [InlineData(0)] // version
    [InlineData(4)] // attempts
    [InlineData(5)] // failed at
    public void Dead_letter_record_with_an_integer_out_of_range_is_refused_and_still_listable(int field)
    {
        var good = new DeadLetter("id", new byte[] { 1 }, "why", 3, DateTimeOffset.UnixEpoch).Encode();
        var bytes = Pack((ref MessagePackWriter w) =>
        {
            var reader = new MessagePackReader(good);
            var count = reader.ReadArrayHeader();
            w.WriteArrayHeader(count);
            for (var i = 0; i < count; i++)
            {
                if (i == field)
                {
                    w.Write(ulong.MaxValue);
                    reader.Skip();
                }
                else
                {
                    w.WriteRaw(reader.ReadRaw());
                }
            }
        });

        var ex = Assert.Throws<TaskEnvelopeException>(() => DeadLetter.Decode(bytes));
        var listed = DeadLetter.DecodeOrRaw("stored-id", bytes);

        Assert.Contains("dead-letter record", ex.Message);
        Assert.Equal("stored-id", listed.TaskId);
        Assert.Equal(bytes, listed.Envelope.ToArray());
        Assert.Contains("dead-letter record", listed.Reason);
    }

    [Theory]
    [InlineData("99999999999999999")] // a long, but past year 9999
    [InlineData("1e300")]
    [InlineData("-1e300")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    public void Stream_entry_with_a_due_time_out_of_range_has_an_unknown_due_time(string due)
    {
        var envelope = TaskEnvelope.Write(new GenericTask("h", default, "id"));

        var delivery = StreamDelivery.Parse("1-0", [(RedisValue)"t", (RedisValue)"id", (RedisValue)"e", (RedisValue)envelope, (RedisValue)"d", (RedisValue)due]);

        Assert.InRange(delivery.DueMilliseconds, 0, MaxUnixMilliseconds);
        Assert.Null(delivery.Problem);
    }


    /// <summary>[[[…[0]…]]]: <paramref name="depth"/> arrays of one element around a 0.</summary>
    private static byte[] Nested(int depth)
    {
        var bytes = new byte[depth + 1];
        bytes.AsSpan(0, depth).Fill(0x91);
        return bytes;
    }

    /// <summary>[[[…[0, 0]…, 0], 0]: <paramref name="depth"/> arrays of two elements, the nested one first.</summary>
    private static byte[] NestedWithSiblings(int depth)
    {
        var bytes = new byte[(2 * depth) + 1];
        bytes.AsSpan(0, depth).Fill(0x92);
        return bytes;
    }

    /// <summary>{0: {0: …{0: 0}…}}: <paramref name="depth"/> maps of one entry.</summary>
    private static byte[] NestedMaps(int depth)
    {
        var bytes = new byte[(2 * depth) + 1];
        for (var i = 0; i < depth; i++)
        {
            bytes[2 * i] = 0x81;
        }

        return bytes;
    }

    private static byte[] Map(byte[] value) => [0x81, 0xA1, (byte)'k', .. value];

    private static byte[] EnvelopeWithAppended(params object[] fields) => Pack((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(5 + fields.Length);
        w.Write(1);
        w.Write("id");
        w.Write("h");
        w.Write(new byte[] { 7 });
        w.Write(1);
        foreach (var field in fields)
        {
            if (field is byte[] raw)
            {
                w.WriteRaw(raw);
            }
            else
            {
                w.Write((string)field);
            }
        }
    });

    /// <summary>A valid interval definition with field <paramref name="field"/> written by <paramref name="replace"/>.</summary>
    private static byte[] Definition(int field, Writes replace) => Pack((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(7);
        Writes[] fields =
        [
            (ref MessagePackWriter x) => x.Write(1),
            (ref MessagePackWriter x) => x.Write("h"),
            (ref MessagePackWriter x) => x.Write(new byte[] { 1 }),
            (ref MessagePackWriter x) => x.WriteNil(),
            (ref MessagePackWriter x) => x.WriteNil(),
            (ref MessagePackWriter x) => x.Write(60_000L),
            (ref MessagePackWriter x) => x.Write(0),
        ];
        for (var i = 0; i < fields.Length; i++)
        {
            (i == field ? replace : fields[i])(ref w);
        }
    });
}
