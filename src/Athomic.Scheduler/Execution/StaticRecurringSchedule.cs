namespace Athomic.Scheduler.Execution;

/// <summary>A handler's <c>[Recurring]</c> schedule, emitted by the generator and stored when the host starts.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Schedule">When it runs.</param>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public sealed record StaticRecurringSchedule(string ScheduleId, RecurringSchedule Schedule);
