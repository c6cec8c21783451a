namespace Athomic.Scheduler.Extensibility;

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
    /// <param name="traceContext">
    /// The trace context of the call that stores it (<see cref="RecurringDueEntry.TraceContext"/>), kept beside the
    /// definition when it is created or changed (not part of the bytes compared), or <see langword="null"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken);

    /// <summary>Removes a schedule and cancels its pending occurrences.</summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the schedule existed.</returns>
    Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken);

    /// <summary>Lists schedules a worker must look at now: to add their next occurrence, or to prepare its successor.</summary>
    /// <param name="maxCount">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The store's now and the schedules.</returns>
    Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Adds occurrence <see cref="RecurringAddRequest.OccurrenceMilliseconds"/> of a schedule as a pending task due at
    /// that time, only if the schedule still has the request's revision and the occurrence is later than its
    /// watermark, moving the watermark in the same atomic step; and prepares the occurrence's successor, which
    /// <see cref="IScheduleStore.ClaimAsync"/> (or a promoting broker) adds atomically with the occurrence's dispatch.
    /// With <see cref="RecurringAddRequest.SuccessorOnly"/>, the occurrence must be the watermark and still pending
    /// under the request's task id (else <see cref="RecurringAddStatus.AlreadyAdded"/>), and only its successor is
    /// prepared. The schedule is re-indexed at
    /// max(occurrence, now) + the misfire threshold.
    /// With <see cref="RecurringAddRequest.DeferFor"/> (<see cref="RecurringAddRequest.Defer"/>: a worker that cannot
    /// read the definition), nothing is added or prepared: the schedule, if it still has the request's revision and is
    /// still due, is only re-indexed at now + that delay (<see cref="RecurringAddStatus.Deferred"/>); one that another
    /// worker has re-indexed later, or that left the index, is left alone (<see cref="RecurringAddStatus.AlreadyAdded"/>).
    /// </summary>
    /// <param name="request">The occurrence and its successor.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken);
}
