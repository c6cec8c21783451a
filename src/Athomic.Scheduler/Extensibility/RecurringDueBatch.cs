namespace Athomic.Scheduler.Extensibility;

/// <summary>The result of <see cref="IRecurringStore.GetDueRecurringAsync"/>.</summary>
/// <param name="NowMilliseconds">The store's clock.</param>
/// <param name="Entries">The schedules.</param>
/// <param name="NextDueMilliseconds">When the next schedule after now needs its next occurrence, or <see langword="null"/> when none does.</param>
public sealed record RecurringDueBatch(long NowMilliseconds, IReadOnlyList<RecurringDueEntry> Entries, long? NextDueMilliseconds);
