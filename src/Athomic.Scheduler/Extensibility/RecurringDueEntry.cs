namespace Athomic.Scheduler.Extensibility;

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
