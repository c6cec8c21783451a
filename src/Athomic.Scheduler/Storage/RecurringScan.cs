namespace Athomic.Scheduler.Storage;

/// <summary>The result of <see cref="IOperationsSource.ScanRecurringAsync"/>.</summary>
/// <param name="Items">The schedules read.</param>
/// <param name="NextCursor">Where to go on, or <see langword="null"/> when the source has no more.</param>
internal sealed record RecurringScan(IReadOnlyList<RecurringRecord> Items, string? NextCursor);
