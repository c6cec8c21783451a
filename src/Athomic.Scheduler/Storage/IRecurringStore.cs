namespace Athomic.Scheduler.Storage;

/// <summary>
/// Recurring schedules next to the schedule they feed: definitions by schedule id, a per-schedule watermark
/// (the latest occurrence ever added) and an index of schedules that need their next occurrence.
/// Both built-in stores implement it; every operation is atomic.
/// </summary>
/// <remarks>
/// Times are Unix milliseconds on the store's clock. An occurrence is added only when it is later than the
/// watermark, in the same atomic step that moves the watermark, so no two workers (or restarts, or redeploys)
/// can add the same occurrence twice.
/// </remarks>
public interface IRecurringStore
{
    /// <summary>
    /// Stores a definition. Unchanged bytes are a no-op. A new schedule starts after the store's now. A changed one
    /// cancels its pending (not yet dispatched) occurrence and is planned again from the next occurrence.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="definition">The encoded definition.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, CancellationToken cancellationToken);

    /// <summary>Removes a schedule and cancels its pending occurrences.</summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the schedule existed.</returns>
    Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken);

    /// <summary>Lists schedules whose next occurrence must be added now.</summary>
    /// <param name="maxCount">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The store's now and the schedules.</returns>
    Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Adds occurrence <paramref name="occurrenceMilliseconds"/> of a schedule as a pending task due at that time,
    /// only if the schedule still has <paramref name="revision"/> and the occurrence is later than its watermark;
    /// moves the watermark and re-indexes the schedule at the occurrence, atomically.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="revision">The revision read with the definition.</param>
    /// <param name="occurrenceMilliseconds">The occurrence, or <see langword="null"/> when the schedule has no more (it leaves the index).</param>
    /// <param name="taskId">The occurrence's task id.</param>
    /// <param name="envelope">The occurrence's envelope.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<RecurringAddStatus> AddOccurrenceAsync(string scheduleId, long revision, long? occurrenceMilliseconds, string taskId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken);
}

/// <summary>The result of <see cref="IRecurringStore.AddOccurrenceAsync"/>.</summary>
public enum RecurringAddStatus
{
    /// <summary>The schedule is gone, or changed since it was read.</summary>
    Stale = 0,

    /// <summary>The occurrence was added.</summary>
    Added = 1,

    /// <summary>The occurrence is not later than the watermark: another worker added it (or a later one) first.</summary>
    AlreadyAdded = 2,

    /// <summary>The schedule has no further occurrence and left the index.</summary>
    Finished = 3,
}

/// <summary>A schedule that needs its next occurrence.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Definition">The encoded definition.</param>
/// <param name="WatermarkMilliseconds">The latest occurrence ever added (or the creation time).</param>
/// <param name="Revision">The definition's revision.</param>
public readonly record struct RecurringDueEntry(string ScheduleId, ReadOnlyMemory<byte> Definition, long WatermarkMilliseconds, long Revision);

/// <summary>The result of <see cref="IRecurringStore.GetDueRecurringAsync"/>.</summary>
/// <param name="NowMilliseconds">The store's clock.</param>
/// <param name="Entries">The schedules.</param>
/// <param name="NextDueMilliseconds">When the next schedule after now needs its next occurrence, or <see langword="null"/> when none does.</param>
public sealed record RecurringDueBatch(long NowMilliseconds, IReadOnlyList<RecurringDueEntry> Entries, long? NextDueMilliseconds);
