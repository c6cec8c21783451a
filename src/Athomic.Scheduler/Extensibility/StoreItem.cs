using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Extensibility;

/// <summary>A task to store: its id, envelope, and due time (absolute, or relative to the store's clock).</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded <see cref="TaskEnvelope"/>.</param>
/// <param name="DueMilliseconds">Milliseconds since the Unix epoch, or from now when <paramref name="IsRelative"/>.</param>
/// <param name="IsRelative">Whether <paramref name="DueMilliseconds"/> is a delay.</param>
public readonly record struct StoreItem(string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, bool IsRelative)
{
    /// <summary>The task's priority (<see cref="GenericTask.Priority"/>): among due tasks, higher ones are claimed first.</summary>
    public int Priority { get; init; }
}
