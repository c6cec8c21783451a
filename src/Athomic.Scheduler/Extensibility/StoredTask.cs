namespace Athomic.Scheduler.Extensibility;

/// <summary>A stored task as read back.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Envelope">The encoded envelope.</param>
/// <param name="State">Pending or in flight.</param>
/// <param name="ScoreMilliseconds">The due time (pending) or lease deadline (in flight), in Unix milliseconds.</param>
public sealed record StoredTask(string TaskId, ReadOnlyMemory<byte> Envelope, ScheduledTaskState State, long ScoreMilliseconds);
