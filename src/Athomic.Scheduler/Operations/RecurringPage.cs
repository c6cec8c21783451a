namespace Athomic.Scheduler.Operations;

/// <summary>One page of recurring schedules.</summary>
/// <param name="Items">The schedules.</param>
/// <param name="NextCursor">Pass it back for the next page; <see langword="null"/> when the listing is complete.</param>
public sealed record RecurringPage(IReadOnlyList<RecurringScheduleInfo> Items, string? NextCursor);
