using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Storage;

/// <summary>A stored task as a source reads it.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="State">Pending, in flight or dead letter.</param>
/// <param name="Score">Due time, lease deadline, or dead-letter time (Unix ms).</param>
/// <param name="Bytes">The envelope (pending, in flight; empty when missing) or the dead-letter record.</param>
/// <param name="Owner">The lease owner of an in-flight task, or <see langword="null"/>.</param>
internal sealed record TaskRecord(string TaskId, ScheduledTaskState State, long Score, ReadOnlyMemory<byte> Bytes, string? Owner = null)
{
    /// <summary>
    /// Its key in its listing: the task id, except for a task's earlier dead letters, which have keys of their own
    /// (<see cref="DeadLetter.TaskIdOfKey"/>).
    /// </summary>
    public string Key { get; init; } = TaskId;

    /// <summary>Its position in its listing (by the stored score, which pages the listing, and its key).</summary>
    public TaskPosition Position => new(Score, Key);

    /// <summary>
    /// The time an operator sees (Unix ms): <see cref="Score"/>, except for a pending task that waits for flow control,
    /// whose stored score is shifted beyond every due time (see <see cref="Waiting"/>) and whose due time this is.
    /// </summary>
    public long Time { get; init; } = Score;

    /// <summary>Whether the pending task is due and waits for flow control (its handler paused or at its limit).</summary>
    public bool Waiting { get; init; }
}
