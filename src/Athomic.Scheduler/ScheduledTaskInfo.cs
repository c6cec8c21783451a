namespace Athomic.Scheduler;

/// <summary>A stored task and its state.</summary>
/// <param name="Task">The task, with <see cref="GenericTask.DueAt"/> set for a pending task.</param>
/// <param name="State">Pending or in flight.</param>
public sealed record ScheduledTaskInfo(GenericTask Task, ScheduledTaskState State);
