namespace Athomic.Scheduler.Generators.Model;

/// <summary>A static recurring schedule from <c>[Recurring]</c>; checked at compile time.</summary>
/// <param name="ScheduleId">The schedule id (the handler name unless <c>Id</c> is given).</param>
/// <param name="Cron">The cron expression, or <see langword="null"/> for an interval.</param>
/// <param name="TimeZone">The time zone id, or <see langword="null"/> for UTC.</param>
/// <param name="EverySeconds">The interval in seconds; 0 for a cron schedule.</param>
/// <param name="Misfire">The misfire policy's name (<c>RunOnce</c>, <c>RunAll</c> or <c>Skip</c>).</param>
internal sealed record RecurringSpec(string ScheduleId, string? Cron, string? TimeZone, long EverySeconds, string Misfire);
