using System.Diagnostics.CodeAnalysis;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Operations;

/// <summary>One task with its payload (<see cref="ISchedulerOperations.GetTaskAsync"/>).</summary>
/// <param name="Summary">The task.</param>
/// <param name="Payload">The MessagePack payload bytes (empty when the envelope cannot be read).</param>
public sealed record TaskDetails(TaskSummary Summary, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The default of <see cref="PayloadToJson"/>'s size cap.</summary>
    public const int DefaultJsonPayloadLimit = 64 * 1024;

    /// <summary>
    /// The payload as JSON (MessagePack converted without resolving any type), or <see langword="null"/> when it is
    /// larger than <paramref name="maxPayloadBytes"/> or not valid MessagePack.
    /// </summary>
    /// <param name="maxPayloadBytes">The largest payload converted.</param>
    /// <returns>The JSON text, or <see langword="null"/>.</returns>
    public string? PayloadToJson(int maxPayloadBytes = DefaultJsonPayloadLimit) => PayloadJson.Convert(Payload, maxPayloadBytes);

    /// <summary>
    /// The payload as JSON, as <see cref="PayloadToJson"/> gives it, or one sentence for operators saying why it is not
    /// converted: larger than <paramref name="maxPayloadBytes"/>, nested deeper than 64 levels, cut short, not
    /// MessagePack (with the offset of the first byte that is not), or followed by bytes after its first value.
    /// </summary>
    /// <param name="json">The JSON text when the payload converts.</param>
    /// <param name="problem">Why it does not, when it does not.</param>
    /// <param name="maxPayloadBytes">The largest payload converted.</param>
    /// <returns>Whether the payload converts.</returns>
    public bool TryPayloadToJson([NotNullWhen(true)] out string? json, [NotNullWhen(false)] out string? problem, int maxPayloadBytes = DefaultJsonPayloadLimit) =>
        PayloadJson.TryConvert(Payload, maxPayloadBytes, out json, out problem);
}
