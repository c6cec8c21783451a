namespace Athomic.Scheduler;

/// <summary>The result of scheduling one task.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Status">What happened.</param>
public readonly record struct ScheduleResult(string TaskId, ScheduleStatus Status);
