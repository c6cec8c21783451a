using System.Buffers;
using Athomic.Scheduler.Serialization;
using MessagePack;

namespace Athomic.Scheduler.Recurring;

/// <summary>
/// The stored form of a recurring schedule: <c>[1, handler, payload, expression|nil, timeZone|nil, intervalMs, misfire]</c>.
/// Byte equality means "unchanged", so upserting the same definition again (a restart, a redeploy) is a no-op.
/// </summary>
internal sealed record RecurringDefinition(string Handler, ReadOnlyMemory<byte> Payload, RecurringSchedule Schedule)
{
    private const int Version = 1;

    public byte[] Write()
    {
        var buffer = new ArrayBufferWriter<byte>(64 + Payload.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(7);
        writer.Write(Version);
        writer.Write(Handler);
        writer.Write(Payload.Span);
        writer.Write(Schedule.Expression);
        writer.Write(Schedule.TimeZone);
        writer.Write((long)Schedule.Interval.TotalMilliseconds);
        writer.Write((int)Schedule.Misfire);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="TaskEnvelopeException">The bytes are not a readable definition.</exception>
    public static RecurringDefinition Read(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            var count = reader.ReadArrayHeader();
            if (count < 7 || reader.ReadInt32() != Version)
            {
                throw new TaskEnvelopeException("The recurring definition has an unknown layout.");
            }

            var handler = reader.ReadString() ?? throw new TaskEnvelopeException("The recurring definition has no handler.");
            if (!TaskIds.IsValid(handler))
            {
                throw new TaskEnvelopeException("The recurring definition holds an invalid handler name.");
            }

            var payload = reader.ReadBytes()?.ToArray() ?? [];
            var expression = reader.ReadString();
            var zone = reader.ReadString();
            var interval = reader.ReadInt64();
            var misfire = (MisfirePolicy)reader.ReadInt32();
            if (!Enum.IsDefined(misfire))
            {
                throw new TaskEnvelopeException($"The recurring definition has an unknown misfire policy {(int)misfire}.");
            }

            var schedule = expression is null ? RecurringSchedule.Every(TimeSpan.FromMilliseconds(interval)) : RecurringSchedule.Cron(expression, zone);
            return new RecurringDefinition(handler, payload, schedule with { Misfire = misfire });
        }
        catch (Exception ex) when (StoredBytes.IsMalformed(ex))
        {
            throw new TaskEnvelopeException("The recurring definition is not readable: " + ex.Message, ex);
        }
    }
}
