namespace Athomic.Scheduler.Operations;

/// <summary>One page of tasks.</summary>
/// <param name="Items">The tasks, in the listing's order.</param>
/// <param name="NextCursor">Pass it back as <see cref="TaskQuery.Cursor"/> for the next page; <see langword="null"/> when the listing is complete.</param>
public sealed record TaskPage(IReadOnlyList<TaskSummary> Items, string? NextCursor);
