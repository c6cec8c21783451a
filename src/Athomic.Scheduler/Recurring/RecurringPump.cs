using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Recurring;

/// <summary>
/// Adds the next occurrence of every recurring schedule that needs one. Every worker runs it before each claim;
/// the store's watermark makes racing workers add each occurrence once.
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
            return await _store.AddOccurrenceAsync(entry.ScheduleId, entry.Revision, null, string.Empty, default, cancellationToken).ConfigureAwait(false);
        }

        var watermark = DateTimeOffset.FromUnixTimeMilliseconds(entry.WatermarkMilliseconds);
        var next = OccurrencePlanner.Next(definition.Schedule, watermark, now, _options.RecurringMisfireThreshold);
        if (next is not { } occurrence)
        {
            Log.RecurringFinished(_logger, entry.ScheduleId);
            return await _store.AddOccurrenceAsync(entry.ScheduleId, entry.Revision, null, string.Empty, default, cancellationToken).ConfigureAwait(false);
        }

        var taskId = RecurringTaskIds.For(entry.ScheduleId, occurrence);
        var envelope = TaskEnvelope.Write(new GenericTask(definition.Handler, definition.Payload, taskId));
        var status = await _store.AddOccurrenceAsync(entry.ScheduleId, entry.Revision, occurrence.ToUnixTimeMilliseconds(), taskId, envelope, cancellationToken).ConfigureAwait(false);
        if (status == RecurringAddStatus.Added)
        {
            Log.RecurringOccurrenceAdded(_logger, entry.ScheduleId, occurrence, taskId);
        }

        return status;
    }
}
