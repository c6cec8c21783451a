namespace Athomic.Scheduler.Storage;

/// <summary>One call of <see cref="IOperationsSource.ScanTasksAsync"/>.</summary>
/// <param name="State">Which entries: pending, in flight or dead letters.</param>
/// <param name="After">Start strictly after this position (in the listing's order), or <see langword="null"/> for the start.</param>
/// <param name="Limit">How many matching entries at most.</param>
/// <param name="Budget">How many entries to look at, at most (≥ <paramref name="Limit"/>).</param>
/// <param name="Handler">Only this handler, or <see langword="null"/>.</param>
/// <param name="IdPrefix">Only ids with this prefix, or <see langword="null"/>.</param>
internal sealed record TaskScanRequest(ScheduledTaskState State, TaskPosition? After, int Limit, int Budget, string? Handler, string? IdPrefix);
