namespace Athomic.Scheduler;

/// <summary>The result of <see cref="IScheduler.AddOrUpdateRecurringAsync"/>.</summary>
public enum RecurringUpsertStatus
{
    /// <summary>The same definition was stored already; nothing changed.</summary>
    Unchanged = 0,

    /// <summary>A new schedule.</summary>
    Created = 1,

    /// <summary>The definition changed; it applies from the next occurrence.</summary>
    Updated = 2,
}
