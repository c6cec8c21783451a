namespace Athomic.Scheduler.Storage;

/// <summary>A recurring schedule as a source reads it.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Definition">The encoded definition.</param>
/// <param name="WatermarkMilliseconds">The latest occurrence added (or the creation time), or <see langword="null"/> when unknown.</param>
/// <param name="PendingTaskId">The task id of its pending occurrence, or <see langword="null"/>.</param>
/// <param name="PendingDueMilliseconds">That occurrence's due time, or <see langword="null"/> when it is not pending any more.</param>
internal sealed record RecurringRecord(string ScheduleId, ReadOnlyMemory<byte> Definition, long? WatermarkMilliseconds, string? PendingTaskId, long? PendingDueMilliseconds);
