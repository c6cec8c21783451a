using System.Buffers;
using Athomic.Scheduler.Serialization;
using MessagePack;

namespace Athomic.Scheduler.Operations;

/// <summary>A task that will not run again on its own: its original envelope, why, and after how many attempts.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The task's stored envelope, kept byte for byte (it may be the unreadable input that caused the dead letter).</param>
/// <param name="Reason">Why the task was dead-lettered (the last error).</param>
/// <param name="Attempts">How many attempts ran.</param>
/// <param name="FailedAt">When the task was dead-lettered.</param>
public sealed record DeadLetter(string TaskId, ReadOnlyMemory<byte> Envelope, string Reason, int Attempts, DateTimeOffset FailedAt)
{
    private const int Version = 1;

    /// <summary>The task, when its envelope is readable; otherwise <see langword="null"/>.</summary>
    public GenericTask? TryReadTask()
    {
        try
        {
            return TaskEnvelope.Read(Envelope);
        }
        catch (TaskEnvelopeException)
        {
            return null;
        }
    }

    /// <summary>Encodes the record: <c>[1, taskId, envelope: bin, reason, attempts, failedAt: unix ms]</c>.</summary>
    /// <returns>The bytes.</returns>
    internal byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(64 + Envelope.Length + Reason.Length);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(Version);
        writer.Write(TaskId);
        writer.Write(Envelope.Span);
        writer.Write(Reason);
        writer.Write(Attempts);
        writer.Write(FailedAt.ToUnixTimeMilliseconds());
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The task id of a dead letter stored under <paramref name="key"/>: a task's newest dead letter is stored under its
    /// id, an earlier one under <c>"{id} #{n}"</c> (<c>Redis/Scripts/_dead.lua</c>; an id never holds a space).
    /// </summary>
    /// <param name="key">The key in the store's dead-letter listing.</param>
    /// <returns>The task id.</returns>
    internal static string TaskIdOfKey(string key) => key.IndexOf(' ', StringComparison.Ordinal) is var space and >= 0 ? key[..space] : key;

    /// <summary>Whether <paramref name="key"/> can be the key of a dead letter: a task id, or one followed by <c>" #{n}"</c>.</summary>
    /// <param name="key">The candidate.</param>
    /// <returns><see langword="true"/> when it is valid.</returns>
    internal static bool IsKey(string key)
    {
        var id = TaskIdOfKey(key);
        var suffix = key.AsSpan(id.Length);
        return TaskIds.IsValid(id) && (suffix.IsEmpty || (suffix.Length > 2 && suffix.StartsWith(" #", StringComparison.Ordinal) && !suffix[2..].ContainsAnyExceptInRange('0', '9')));
    }

    /// <summary>The key of an earlier dead letter of <paramref name="taskId"/>, the <paramref name="n"/>-th superseded (see <see cref="TaskIdOfKey"/>).</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="n">From 1, the oldest.</param>
    /// <returns>The key.</returns>
    internal static string EarlierKey(string taskId, int n) => taskId + " #" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Decodes a record, or, when the stored record itself is damaged, keeps its bytes with a reason saying so.</summary>
    /// <param name="taskId">The id the record is stored under.</param>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The dead letter.</returns>
    internal static DeadLetter DecodeOrRaw(string taskId, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return Decode(bytes);
        }
        catch (TaskEnvelopeException ex)
        {
            return new DeadLetter(taskId, bytes, ex.Message, 0, DateTimeOffset.UnixEpoch);
        }
    }

    /// <summary>Decodes a record written by <see cref="Encode"/>.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The dead letter.</returns>
    /// <exception cref="TaskEnvelopeException">The bytes are not a dead-letter record.</exception>
    public static DeadLetter Decode(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            var count = reader.ReadArrayHeader();
            if (count < 6 || reader.ReadInt32() != Version)
            {
                throw new TaskEnvelopeException("Not a version 1 dead-letter record.");
            }

            var taskId = reader.ReadString() ?? string.Empty;
            var envelope = reader.ReadBytes() is { } e ? e.ToArray() : [];
            var reason = reader.ReadString() ?? string.Empty;
            var attempts = reader.ReadInt32();
            var failedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            return new DeadLetter(taskId, envelope, reason, attempts, failedAt);
        }
        catch (Exception ex) when (StoredBytes.IsMalformed(ex))
        {
            throw new TaskEnvelopeException("The dead-letter record is not valid: " + ex.Message, ex);
        }
    }
}
