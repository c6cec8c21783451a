using System.Collections.Concurrent;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Serialization;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Recurring;

/// <summary>
/// Looks after every recurring schedule the store lists as due: prepares the successor of its pending occurrence
/// (which the claim that dispatches the occurrence adds, in the same atomic step), or, for a new or changed schedule
/// and one whose latest occurrence left without adding a successor (missed, cancelled), adds the next occurrence by
/// the schedule's <see cref="MisfirePolicy"/>. Every worker runs it before its claims; the store's watermark makes
/// racing workers add each occurrence once.
/// </summary>
/// <remarks>
/// One schedule that fails is isolated: a definition this host cannot read (a newer version wrote it, or its time zone
/// is missing here), or a step that throws, is never finished; it is left to the hosts that can handle it, and
/// re-indexed with backoff only when none did (see <see cref="LeaveToOthersAsync"/>); the other schedules of the
/// batch are looked after meanwhile.
/// </remarks>
internal sealed class RecurringPump
{
    private readonly IRecurringStore _store;
    private readonly SchedulerOptions _options;
    private readonly ILogger _logger;

    // Schedule id -> what this host saw when the schedule last failed here, and how often in a row it saw it unchanged.
    private readonly ConcurrentDictionary<string, Failure> _failures = new(StringComparer.Ordinal);

    public RecurringPump(IRecurringStore store, SchedulerOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
    }

    /// <summary>Adds due occurrences.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many were added, whether more schedules were due than one batch holds, and the time until the
    /// next schedule needs its next occurrence (<see langword="null"/> when none does).</returns>
    public async Task<(int Added, bool More, TimeSpan? NextDueIn)> PumpAsync(CancellationToken cancellationToken)
    {
        var batchSize = _options.Worker.BatchSize;
        var batch = await _store.GetDueRecurringAsync(batchSize, cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(batch.NowMilliseconds);
        var added = 0;
        var left = 0;
        foreach (var entry in batch.Entries)
        {
            RecurringAddStatus? status;
            try
            {
                status = await AddNextAsync(entry, now, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // This schedule only: the others of the batch go on.
                status = await LeaveToOthersAsync(entry, batch.NowMilliseconds, ex, unreadable: false, cancellationToken).ConfigureAwait(false);
            }

            if (status == RecurringAddStatus.Added)
            {
                added++;
            }
            else if (status is null or RecurringAddStatus.Deferred)
            {
                left++;
            }
        }

        // A batch full of schedules left to other hosts is no reason to look again at once.
        TimeSpan? nextDueIn = batch.NextDueMilliseconds is { } next ? TimeSpan.FromMilliseconds(Math.Max(0, next - batch.NowMilliseconds)) : null;
        return (added, batch.Entries.Count >= batchSize && left == 0, nextDueIn);
    }

    /// <returns>What the store did, or <see langword="null"/> when the schedule was left to other hosts for now.</returns>
    private async Task<RecurringAddStatus?> AddNextAsync(RecurringDueEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RecurringDefinition definition;
        try
        {
            definition = RecurringDefinition.Read(entry.Definition);
        }
        catch (TaskEnvelopeException ex)
        {
            // Unreadable here (another version wrote it, or the time zone is unknown on this machine), maybe not on
            // other hosts: never finish it for everyone.
            return await LeaveToOthersAsync(entry, now.ToUnixTimeMilliseconds(), ex, unreadable: true, cancellationToken).ConfigureAwait(false);
        }

        _failures.TryRemove(entry.ScheduleId, out _);

        var watermark = DateTimeOffset.FromUnixTimeMilliseconds(entry.WatermarkMilliseconds);
        if (entry.Latest is RecurringOccurrenceState.Pending or RecurringOccurrenceState.Prepared && entry.LatestTaskId is { } pending)
        {
            // Its dispatch adds the successor prepared here.
            var prepare = Request(entry, definition, watermark, pending, default) with { SuccessorOnly = true };
            return await _store.AddOccurrenceAsync(prepare, cancellationToken).ConfigureAwait(false);
        }

        var next = OccurrencePlanner.Next(definition.Schedule, watermark, now, _options.RecurringMisfireThreshold);
        if (next is not { } occurrence)
        {
            Log.RecurringFinished(_logger, entry.ScheduleId);
            return await FinishAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        var taskId = RecurringTaskIds.For(entry.ScheduleId, occurrence);
        var envelope = TaskEnvelope.Write(Occurrence(entry, definition, taskId));
        var status = await _store.AddOccurrenceAsync(Request(entry, definition, occurrence, taskId, envelope), cancellationToken).ConfigureAwait(false);
        if (status == RecurringAddStatus.Added)
        {
            Log.RecurringOccurrenceAdded(_logger, entry.ScheduleId, occurrence, taskId);
        }

        return status;
    }

    /// <summary>An occurrence's task, carrying the trace context of the call that stored the schedule (so its run links to it).</summary>
    private static GenericTask Occurrence(RecurringDueEntry entry, RecurringDefinition definition, string taskId)
    {
        var task = new GenericTask(definition.Handler, definition.Payload, taskId);
        if (entry.TraceContext is not { } trace)
        {
            return task;
        }

        var split = trace.IndexOf('\n', StringComparison.Ordinal);
        return split < 0 ? task.WithTrace(trace, null) : task.WithTrace(trace[..split], trace[(split + 1)..]);
    }

    private RecurringAddRequest Request(RecurringDueEntry entry, RecurringDefinition definition, DateTimeOffset occurrence, string taskId, ReadOnlyMemory<byte> envelope)
    {
        var successor = definition.Schedule.GetNextOccurrence(occurrence);
        var successorEnvelope = successor is { } s
            ? TaskEnvelope.Write(Occurrence(entry, definition, RecurringTaskIds.For(entry.ScheduleId, s)))
            : default;
        return new RecurringAddRequest(
            entry.ScheduleId,
            entry.Revision,
            occurrence.ToUnixTimeMilliseconds(),
            taskId,
            envelope,
            successor?.ToUnixTimeMilliseconds(),
            successorEnvelope,
            _options.RecurringMisfireThreshold);
    }

    /// <summary>
    /// Leaves a schedule this host failed on to the hosts that can handle it. It is first left alone, still due, for a
    /// grace of <see cref="SchedulerWorkerOptions.MaxPollDelay"/> (by then every healthy host has looked at it); if no
    /// host moved it on meanwhile, it is re-indexed in the store after a backoff (1 s, doubling up to half the misfire
    /// threshold while no host makes progress with it), so nobody looks at it in a loop and it never blocks the index.
    /// </summary>
    /// <returns><see cref="RecurringAddStatus.Deferred"/>, or <see langword="null"/> when it was left as it is.</returns>
    private async Task<RecurringAddStatus?> LeaveToOthersAsync(RecurringDueEntry entry, long nowMs, Exception error, bool unreadable, CancellationToken cancellationToken)
    {
        var seen = _failures.TryGetValue(entry.ScheduleId, out var known) ? known : null;
        var first = seen is null || seen.Revision != entry.Revision;
        if (seen is null || !seen.Matches(entry))
        {
            // New here, or another host moved it on since: start over, with the grace and the shortest backoff.
            seen = new Failure(entry.Revision, entry.WatermarkMilliseconds, entry.Latest, entry.LatestTaskId, nowMs, 0);
        }

        if (nowMs - seen.Since < (long)_options.Worker.MaxPollDelay.TotalMilliseconds)
        {
            _failures[entry.ScheduleId] = seen;
            LogLeft(entry.ScheduleId, TimeSpan.Zero, error, unreadable, first);
            return null;
        }

        var cap = Math.Max(1_000, (long)_options.RecurringMisfireThreshold.TotalMilliseconds / 2);
        var delay = Math.Min(1_000L << Math.Min(seen.Count, 20), cap);
        _failures[entry.ScheduleId] = seen with { Since = nowMs + delay, Count = seen.Count + 1 };
        LogLeft(entry.ScheduleId, TimeSpan.FromMilliseconds(delay), error, unreadable, first);
        try
        {
            return await _store.AddOccurrenceAsync(RecurringAddRequest.Defer(entry.ScheduleId, entry.Revision, TimeSpan.FromMilliseconds(delay)), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!unreadable && ex is not OperationCanceledException)
        {
            // The store is failing too: the schedule stays due, and a later look tries again.
            return null;
        }
    }

    private void LogLeft(string scheduleId, TimeSpan delay, Exception error, bool unreadable, bool first)
    {
        if (!unreadable)
        {
            Log.RecurringStepFailed(_logger, scheduleId, delay, error);
        }
        else if (first)
        {
            Log.RecurringUnreadable(_logger, scheduleId, error);
        }
        else
        {
            Log.RecurringStillUnreadable(_logger, scheduleId, delay);
        }
    }

    /// <summary>What this host saw of a schedule it failed on: since when it is due in that state, and how often it was deferred.</summary>
    private sealed record Failure(long Revision, long Watermark, RecurringOccurrenceState Latest, string? LatestTaskId, long Since, int Count)
    {
        public bool Matches(RecurringDueEntry entry) =>
            Revision == entry.Revision && Watermark == entry.WatermarkMilliseconds && Latest == entry.Latest && LatestTaskId == entry.LatestTaskId;
    }

    private Task<RecurringAddStatus> FinishAsync(RecurringDueEntry entry, CancellationToken cancellationToken) =>
        _store.AddOccurrenceAsync(
            new RecurringAddRequest(entry.ScheduleId, entry.Revision, null, string.Empty, default, null, default, _options.RecurringMisfireThreshold),
            cancellationToken);
}
