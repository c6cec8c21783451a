using System.Buffers;
using MessagePack;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// The stored form of a <see cref="GenericTask"/>: a MessagePack array, versioned by its first element.
/// </summary>
/// <remarks>
/// Version 1 is <c>[1, taskId: str, handler: str, payload: bin, attempt: int]</c>, optionally followed by the trace
/// context of the call that scheduled the task: <c>traceparent: str</c> (field 6) and <c>tracestate: str</c> (field 7),
/// written only when there is one, so an envelope scheduled outside a trace is byte-identical to one of a build
/// without tracing (and readers of those builds skip the appended fields). Readers accept longer arrays
/// of the same version and skip the extra elements, so a later minor change can append fields without breaking
/// today's readers; a new major layout takes a new version number, and this reader refuses it with a clear error.
/// An appended field may nest containers at most <see cref="MaxAppendedFieldDepth"/> deep; deeper input is refused.
/// The due time is not part of the envelope: it is the task's score in the schedule.
/// </remarks>
internal static class TaskEnvelope
{
    /// <summary>The envelope version this build writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>How deep an appended field may nest arrays and maps; deeper input is refused, not skipped.</summary>
    internal const int MaxAppendedFieldDepth = 64;

    private const int V1Fields = 5;

    /// <summary>Position (0-based) of field 6, the W3C <c>traceparent</c> of the scheduling call, and of field 7, its <c>tracestate</c>.</summary>
    private const int TraceParentIndex = 5, TraceStateIndex = 6;

    /// <summary>Encodes <paramref name="task"/> as an envelope.</summary>
    /// <param name="task">The task.</param>
    /// <returns>The envelope bytes.</returns>
    public static byte[] Write(GenericTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var traced = task.TraceParent is not null;
        var buffer = new ArrayBufferWriter<byte>(
            32 + task.TaskId.Length + task.Handler.Length + task.Payload.Length + (traced ? 64 + (task.TraceState?.Length ?? 0) : 0));
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(!traced ? V1Fields : task.TraceState is null ? TraceParentIndex + 1 : TraceStateIndex + 1);
        writer.Write(CurrentVersion);
        writer.Write(task.TaskId);
        writer.Write(task.Handler);
        writer.Write(task.Payload.Span);
        writer.Write(task.Attempt);
        if (traced)
        {
            writer.Write(task.TraceParent);
            if (task.TraceState is not null)
            {
                writer.Write(task.TraceState);
            }
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes an envelope.</summary>
    /// <param name="envelope">The envelope bytes.</param>
    /// <param name="dueAt">The due time to set on the task (from the schedule's score).</param>
    /// <returns>The task.</returns>
    /// <exception cref="TaskEnvelopeException">The bytes are not a readable envelope.</exception>
    public static GenericTask Read(ReadOnlyMemory<byte> envelope, DateTimeOffset? dueAt = null)
    {
        try
        {
            var reader = new MessagePackReader(envelope);
            var count = reader.ReadArrayHeader();
            if (count < 1)
            {
                throw new TaskEnvelopeException("The envelope is an empty array.");
            }

            var version = reader.ReadInt32();
            if (version != CurrentVersion)
            {
                throw new TaskEnvelopeException(
                    $"The envelope has version {version}; this build reads version {CurrentVersion}. It was written by an incompatible version of Athomic.Scheduler.");
            }

            if (count < V1Fields)
            {
                throw new TaskEnvelopeException($"A version 1 envelope has {V1Fields} fields; this one has {count}.");
            }

            var taskId = reader.ReadString() ?? throw new TaskEnvelopeException("The envelope has no task id.");
            var handler = reader.ReadString() ?? throw new TaskEnvelopeException("The envelope has no handler name.");
            var payload = reader.ReadBytes() is { } bytes ? bytes.ToArray() : [];
            var attempt = reader.ReadInt32();
            string? traceParent = null, traceState = null;
            for (var i = V1Fields; i < count; i++)
            {
                // The trace context is best effort: a field of another type is skipped, never a reason to refuse the task.
                if (i <= TraceStateIndex && reader.NextMessagePackType == MessagePackType.String)
                {
                    var value = reader.ReadString();
                    if (i == TraceParentIndex)
                    {
                        traceParent = value;
                    }
                    else
                    {
                        traceState = value;
                    }

                    continue;
                }

                StoredBytes.Skip(ref reader, MaxAppendedFieldDepth);
            }

            if (!TaskIds.IsValid(taskId) || !TaskIds.IsValid(handler) || attempt < 1)
            {
                throw new TaskEnvelopeException("The envelope holds an invalid task id, handler name or attempt.");
            }

            var task = new GenericTask(handler, payload, taskId).WithExecution(attempt, dueAt);
            return traceParent is null ? task : task.WithTrace(traceParent, traceState);
        }
        catch (Exception ex) when (StoredBytes.IsMalformed(ex))
        {
            throw new TaskEnvelopeException("The envelope is not valid MessagePack: " + ex.Message, ex);
        }
    }
}
