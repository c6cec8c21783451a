namespace Athomic.Scheduler.Storage;

/// <summary>The result of <see cref="IOperationsSource.ScanTasksAsync"/>.</summary>
/// <param name="Items">The matching entries, in the listing's order.</param>
/// <param name="LastSeen">The last entry looked at (matching or not), or <see langword="null"/> when none was.</param>
/// <param name="Exhausted">Whether the scan reached the end of the listing.</param>
internal sealed record TaskScan(IReadOnlyList<TaskRecord> Items, TaskPosition? LastSeen, bool Exhausted);
