namespace Athomic.Scheduler.Hosting;

/// <summary>The worker's recurring part: when to ask the store for schedules that need a look.</summary>
public sealed partial class SchedulerWorkerService
{
    /// <summary>
    /// Adds due recurring occurrences, but asks the store only when a schedule can be due: at the time the store gave
    /// for the next one, after a wake-up (a schedule was stored or changed), and at least every MaxPollDelay (in case a
    /// wake-up was lost). An idle worker thus sends no extra commands.
    /// A failure is this step's alone: it is logged and retried with its own backoff (which wake-ups do not cut short),
    /// and the claims go on meanwhile.
    /// </summary>
    private async Task<bool> PumpRecurringAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetTimestamp();
        if (_recurring is null || now < Interlocked.Read(ref _recurringCheckAt) || now < _recurringRetryAt)
        {
            return false;
        }

        var epoch = Interlocked.Read(ref _recurringEpoch);
        (int Added, bool More, TimeSpan? NextDueIn) pumped;
        try
        {
            pumped = await _recurring.PumpAsync(stoppingToken).ConfigureAwait(false);
            _recurringBackoff = TimeSpan.Zero;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
        {
            _recurringBackoff = _recurringBackoff == TimeSpan.Zero ? _options.MinPollDelay : Grow(_recurringBackoff);
            _recurringRetryAt = _time.GetTimestamp() + (long)(_recurringBackoff.TotalSeconds * _time.TimestampFrequency);
            if (ex is SchedulerUnavailableException)
            {
                Log.StoreUnavailable(_logger, _recurringBackoff, ex);
            }
            else
            {
                Log.RecurringPumpFailed(_logger, _recurringBackoff, ex);
            }

            return false;
        }

        var (_, more, nextDueIn) = pumped;
        var wait = more ? TimeSpan.Zero : nextDueIn is { } next && next < _options.MaxPollDelay ? next : _options.MaxPollDelay;
        var checkAt = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        Interlocked.Exchange(ref _recurringCheckAt, checkAt);
        if (Interlocked.Read(ref _recurringEpoch) != epoch)
        {
            Interlocked.Exchange(ref _recurringCheckAt, 0); // a wake-up came in during the pump: look again next poll
        }

        return more;
    }

    private long _recurringCheckAt;
    private long _recurringEpoch;

    // Only the poll loop reads and writes these.
    private long _recurringRetryAt;
    private TimeSpan _recurringBackoff;
}
