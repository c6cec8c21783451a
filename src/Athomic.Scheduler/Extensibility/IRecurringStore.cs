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

    /// <summary>Only the successor was asked for, and prepared.</summary>
    SuccessorPrepared = 4,

    /// <summary>The schedule was only re-indexed, to be looked at again later (see <see cref="RecurringAddRequest.Defer"/>).</summary>
    Deferred = 5,
}

/// <summary>What <see cref="IRecurringStore.AddOccurrenceAsync"/> adds.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Revision">The revision read with the definition.</param>
/// <param name="OccurrenceMilliseconds">The occurrence, or <see langword="null"/> when the schedule has no more (it leaves the index).</param>
/// <param name="TaskId">The occurrence's task id.</param>
/// <param name="Envelope">The occurrence's envelope.</param>
/// <param name="SuccessorMilliseconds">The occurrence after it, or <see langword="null"/> when there is none.</param>
/// <param name="SuccessorEnvelope">The successor's envelope (its task id is <see cref="Recurring.RecurringTaskIds.For"/> of its time).</param>
/// <param name="MisfireThreshold">
/// How late a successor may still be added by the dispatch; later, the workers' misfire policy decides. Also how long
/// after the occurrence the workers look at the schedule again.
/// </param>
/// <param name="SuccessorOnly">Only prepare the successor of the pending occurrence (the occurrence is not added).</param>
/// <param name="DeferFor">
/// Add and prepare nothing: only look at the still-due schedule again after this long (see <see cref="Defer"/>).
/// </param>
public sealed record RecurringAddRequest(
    string ScheduleId,
    long Revision,
    long? OccurrenceMilliseconds,
    string TaskId,
    ReadOnlyMemory<byte> Envelope,
    long? SuccessorMilliseconds,
    ReadOnlyMemory<byte> SuccessorEnvelope,
    TimeSpan MisfireThreshold,
    bool SuccessorOnly = false,
    TimeSpan? DeferFor = null)
{
    /// <summary>
    /// A request that adds nothing and re-indexes the schedule, while it is still due, at the store's now +
    /// <paramref name="delay"/>: for a worker that cannot read the definition (a newer version wrote it, or its time
    /// zone is missing on that host), so the schedule is neither finished for every host nor looked at in a loop.
    /// </summary>
    /// <param name="scheduleId">The schedule id.</param>
    /// <param name="revision">The revision read with the definition.</param>
    /// <param name="delay">How long until the schedule is looked at again.</param>
    /// <returns>The request.</returns>
    public static RecurringAddRequest Defer(string scheduleId, long revision, TimeSpan delay) =>
        new(scheduleId, revision, null, string.Empty, default, null, default, TimeSpan.Zero, DeferFor: delay);
}

/// <summary>The state of the latest occurrence a schedule has added (see <see cref="RecurringDueEntry"/>).</summary>
public enum RecurringOccurrenceState
{
    /// <summary>There is none (a new schedule, or one whose pending occurrence was cancelled by an update).</summary>
    None = 0,

    /// <summary>It is pending, and its successor is not prepared yet.</summary>
    Pending = 1,

    /// <summary>It is pending, with its successor prepared.</summary>
    Prepared = 2,

    /// <summary>It left the schedule (dispatched, or cancelled) without adding a successor.</summary>
    Gone = 3,
}

/// <summary>A schedule that needs its next occurrence.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Definition">The encoded definition.</param>
/// <param name="WatermarkMilliseconds">The latest occurrence ever added (or the creation time).</param>
/// <param name="Revision">The definition's revision.</param>
/// <param name="Latest">The state of the latest occurrence added (the one at the watermark).</param>
/// <param name="LatestTaskId">That occurrence's task id, or <see langword="null"/> when there is none.</param>
public readonly record struct RecurringDueEntry(
    string ScheduleId,
    ReadOnlyMemory<byte> Definition,
    long WatermarkMilliseconds,
    long Revision,
    RecurringOccurrenceState Latest,
    string? LatestTaskId)
{
    /// <summary>
    /// The W3C trace context of the call that created or last changed the schedule (<c>traceparent</c>, then a line
    /// feed and the <c>tracestate</c> when there is one), carried into every occurrence's envelope so each run links to
    /// that call; <see langword="null"/> when it was stored outside a trace.
    /// </summary>
    public string? TraceContext { get; init; }
}

/// <summary>The result of <see cref="IRecurringStore.GetDueRecurringAsync"/>.</summary>
/// <param name="NowMilliseconds">The store's clock.</param>
/// <param name="Entries">The schedules.</param>
/// <param name="NextDueMilliseconds">When the next schedule after now needs its next occurrence, or <see langword="null"/> when none does.</param>
public sealed record RecurringDueBatch(long NowMilliseconds, IReadOnlyList<RecurringDueEntry> Entries, long? NextDueMilliseconds);
