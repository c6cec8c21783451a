using System.Buffers;
using MessagePack;

namespace Athomic.Scheduler.Tests.Envelope;

public sealed class TaskEnvelopeTests
{
    // A version 1 envelope as this build writes it, frozen: next year's build must still read it.
    // [1, "task-1", "trial.end", bin(0x01 0x02 0x03), 2]
    private const string FrozenV1 = "9501a67461736b2d31a9747269616c2e656e64c40301020302";

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
    public void Fields_appended_by_a_later_minor_version_are_skipped()
    {
        var bytes = Write((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(7);
            w.Write(1);
            w.Write("id");
            w.Write("h");
            w.Write(new byte[] { 7 });
            w.Write(1);
            w.Write("future field");
            w.WriteMapHeader(0);
        });

        var task = TaskEnvelope.Read(bytes);

        Assert.Equal(("id", "h", 1), (task.TaskId, task.Handler, task.Attempt));
    }

    [Fact]
    public void Another_version_is_refused_with_a_clear_error()
    {
        var bytes = Write((ref MessagePackWriter w) =>
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

    private delegate void WriteFields(ref MessagePackWriter writer);

    private static byte[] Write(WriteFields write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
