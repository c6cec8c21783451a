using System.Buffers;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;

namespace Athomic.Scheduler.Tests.Envelope;

public sealed class TaskEnvelopeTests
{
    // A version 1 envelope as this build writes it, frozen: next year's build must still read it.
    // [1, "task-1", "trial.end", bin(0x01 0x02 0x03), 2]
    private const string FrozenV1 = "9501a67461736b2d31a9747269616c2e656e64c40301020302";

    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    // The same envelope scheduled inside a trace, frozen: field 6 appended, the W3C traceparent (str 8, 55 bytes).
    // [1, "task-1", "trial.end", bin(0x01 0x02 0x03), 2, "00-0af7…-01"]
    private const string FrozenV1Traced =
        "9601a67461736b2d31a9747269616c2e656e64c40301020302" +
        "d93730302d30616637363531393136636434336464383434386562323131633830333139632d623761643662373136393230333333312d3031";

    // With a tracestate too: field 7, "congo=t61rcWkgMzE" (fixstr, 17 bytes).
    private const string FrozenV1TracedWithState =
        "9701a67461736b2d31a9747269616c2e656e64c40301020302" +
        "d93730302d30616637363531393136636434336464383434386562323131633830333139632d623761643662373136393230333333312d3031" +
        "b1636f6e676f3d7436317263576b674d7a45";

    [Fact]
    public void Round_trip_keeps_every_field()
    {
        var task = new GenericTask("trial.end", new byte[] { 1, 2, 3 }, "task-1") { Attempt = 2 };
        var due = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);

        var read = TaskEnvelope.Read(TaskEnvelope.Write(task), due);

        Assert.Equal(("task-1", "trial.end", 2, due), (read.TaskId, read.Handler, read.Attempt, read.DueAt!.Value));
        Assert.Equal(new byte[] { 1, 2, 3 }, read.Payload.ToArray());
    }

    [Fact]
    public void Written_bytes_match_the_frozen_version_1_layout_and_it_still_reads()
    {
        var task = new GenericTask("trial.end", new byte[] { 1, 2, 3 }, "task-1") { Attempt = 2 };

        Assert.Equal(FrozenV1, Convert.ToHexString(TaskEnvelope.Write(task)).ToLowerInvariant());
        Assert.Equal("trial.end", TaskEnvelope.Read(Convert.FromHexString(FrozenV1)).Handler);
    }

    [Fact]
    public void An_envelope_written_outside_a_trace_has_no_trace_field_and_an_old_one_reads_without_context()
    {
        var old = TaskEnvelope.Read(Convert.FromHexString(FrozenV1));

        Assert.Null(old.TraceParent);
        Assert.Null(old.TraceState);
        Assert.Equal(FrozenV1, Convert.ToHexString(TaskEnvelope.Write(old)).ToLowerInvariant());
    }

    [Theory]
    [InlineData(FrozenV1Traced, null)]
    [InlineData(FrozenV1TracedWithState, "congo=t61rcWkgMzE")]
    public void The_trace_context_is_appended_as_fields_6_and_7_in_the_frozen_layout(string frozen, string? traceState)
    {
        var task = new GenericTask("trial.end", new byte[] { 1, 2, 3 }, "task-1") { Attempt = 2 }.WithTrace(TraceParent, traceState);

        Assert.Equal(frozen, Convert.ToHexString(TaskEnvelope.Write(task)).ToLowerInvariant());
        var read = TaskEnvelope.Read(Convert.FromHexString(frozen));
        Assert.Equal((TraceParent, traceState), (read.TraceParent, read.TraceState));
        Assert.Equal(("task-1", "trial.end", 2), (read.TaskId, read.Handler, read.Attempt));
    }

    [Theory]
    [InlineData(FrozenV1Traced)]
    [InlineData(FrozenV1TracedWithState)]
    public void A_reader_of_a_build_without_tracing_reads_a_traced_envelope(string frozen)
    {
        // What the version 1 reader of earlier builds does: five fields, then every appended field skipped.
        var reader = new MessagePackReader(Convert.FromHexString(frozen));
        var count = reader.ReadArrayHeader();
        var fields = (reader.ReadInt32(), reader.ReadString(), reader.ReadString(), reader.ReadBytes()!.Value.ToArray(), reader.ReadInt32());
        for (var i = 5; i < count; i++)
        {
            StoredBytes.Skip(ref reader, TaskEnvelope.MaxAppendedFieldDepth);
        }

        Assert.Equal((1, "task-1", "trial.end", 2), (fields.Item1, fields.Item2, fields.Item3, fields.Item5));
        Assert.Equal(new byte[] { 1, 2, 3 }, fields.Item4);
        Assert.True(reader.End);
    }

    [Fact]
    public void A_retry_keeps_the_trace_context_of_the_call_that_scheduled_the_task()
    {
        var task = TaskEnvelope.Read(Convert.FromHexString(FrozenV1TracedWithState));

        var next = TaskEnvelope.Read(Execution.LeaseOutcome.NextAttempt(task));

        Assert.Equal((3, TraceParent, "congo=t61rcWkgMzE"), (next.Attempt, next.TraceParent, next.TraceState));
    }

    [Fact]
    public void A_trace_field_of_another_type_is_ignored_not_refused()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write(1);
            w.Write("id");
            w.Write("h");
            w.Write(new byte[] { 7 });
            w.Write(1);
            w.WriteNil();
        });

        var task = TaskEnvelope.Read(bytes);

        Assert.Equal(("id", (string?)null), (task.TaskId, task.TraceParent));
    }

    [Fact]
    public void Fields_appended_by_a_later_minor_version_are_skipped()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(9);
            w.Write(1);
            w.Write("id");
            w.Write("h");
            w.Write(new byte[] { 7 });
            w.Write(1);
            w.Write(TraceParent);
            w.Write("congo=t61rcWkgMzE");
            w.Write("future field");
            w.WriteMapHeader(0);
        });

        var task = TaskEnvelope.Read(bytes);

        Assert.Equal(("id", "h", 1), (task.TaskId, task.Handler, task.Attempt));
    }

    [Fact]
    public void Another_version_is_refused_with_a_clear_error()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write(2);
            w.Write("id");
            w.Write("h");
            w.Write(new byte[] { 7 });
            w.Write(1);
        });

        var ex = Assert.Throws<TaskEnvelopeException>(() => TaskEnvelope.Read(bytes));

        Assert.Contains("version 2", ex.Message);
        Assert.Contains("incompatible version", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("c1")]
    [InlineData("90")]
    [InlineData("9301a16901")]
    [InlineData("ffffffff")]
    [InlineData("9501a0a168c40001")]
    [InlineData("9501a67461736b2d31a9747269616c2e656e64c4030102")]
    public void Garbage_is_refused_with_a_TaskEnvelopeException(string hex)
    {
        Assert.Throws<TaskEnvelopeException>(() => TaskEnvelope.Read(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Dead_letter_record_round_trips()
    {
        var letter = new DeadLetter("id", new byte[] { 1, 2 }, "why", 4, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

        var read = DeadLetter.Decode(letter.Encode());

        Assert.Equal((letter.TaskId, letter.Reason, letter.Attempts, letter.FailedAt), (read.TaskId, read.Reason, read.Attempts, read.FailedAt));
        Assert.Equal(new byte[] { 1, 2 }, read.Envelope.ToArray());
        Assert.Null(read.TryReadTask());
    }
}
