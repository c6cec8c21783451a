using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Recurring;

/// <summary>
/// Looks after every recurring schedule the store lists as due: prepares the successor of its pending occurrence
/// (which the claim that dispatches the occurrence adds, in the same atomic step), or, for a new or changed schedule
/// and one whose latest occurrence left without adding a successor (missed, cancelled), adds the next occurrence by
/// the schedule's <see cref="MisfirePolicy"/>. Every worker runs it before its claims; the store's watermark makes
/// racing workers add each occurrence once.
/// </summary>
internal sealed class RecurringPump
{
    private readonly IRecurringStore _store;
    private readonly SchedulerOptions _options;
    private readonly ILogger _logger;

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
        foreach (var entry in batch.Entries)
        {
            if (await AddNextAsync(entry, now, cancellationToken).ConfigureAwait(false) == RecurringAddStatus.Added)
            {
                added++;
            }
        }

        TimeSpan? nextDueIn = batch.NextDueMilliseconds is { } next ? TimeSpan.FromMilliseconds(Math.Max(0, next - batch.NowMilliseconds)) : null;
        return (added, batch.Entries.Count >= batchSize, nextDueIn);
    }

    private async Task<RecurringAddStatus> AddNextAsync(RecurringDueEntry entry, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RecurringDefinition definition;
        try
        {
            definition = RecurringDefinition.Read(entry.Definition);
        }
        catch (TaskEnvelopeException ex)
        {
            // Unreadable (another version wrote it, or the time zone is unknown on this machine): take it out of the
            // index so it cannot spin; upserting the schedule again puts it back.
            Log.RecurringUnreadable(_logger, entry.ScheduleId, ex);
            return await FinishAsync(entry, cancellationToken).ConfigureAwait(false);
        }

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
        var envelope = TaskEnvelope.Write(new GenericTask(definition.Handler, definition.Payload, taskId));
        var status = await _store.AddOccurrenceAsync(Request(entry, definition, occurrence, taskId, envelope), cancellationToken).ConfigureAwait(false);
        if (status == RecurringAddStatus.Added)
        {
            Log.RecurringOccurrenceAdded(_logger, entry.ScheduleId, occurrence, taskId);
        }

        return status;
    }

    private RecurringAddRequest Request(RecurringDueEntry entry, RecurringDefinition definition, DateTimeOffset occurrence, string taskId, ReadOnlyMemory<byte> envelope)
    {
        var successor = definition.Schedule.GetNextOccurrence(occurrence);
        var successorEnvelope = successor is { } s
            ? TaskEnvelope.Write(new GenericTask(definition.Handler, definition.Payload, RecurringTaskIds.For(entry.ScheduleId, s)))
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

    private Task<RecurringAddStatus> FinishAsync(RecurringDueEntry entry, CancellationToken cancellationToken) =>
        _store.AddOccurrenceAsync(
            new RecurringAddRequest(entry.ScheduleId, entry.Revision, null, string.Empty, default, null, default, _options.RecurringMisfireThreshold),
            cancellationToken);
}
