namespace Athomic.Scheduler.Hosting;

/// <summary>The worker's recurring part: when to ask the store for schedules that need a look.</summary>
public sealed partial class SchedulerWorkerService
{
    /// <summary>
    /// Adds due recurring occurrences, but asks the store only when a schedule can be due: at the time the store gave
    /// for the next one, after a wake-up (a schedule was stored or changed), and at least every MaxPollDelay (in case a
    /// wake-up was lost). An idle worker thus sends no extra commands.
    /// </summary>
    private async Task<bool> PumpRecurringAsync(CancellationToken stoppingToken)
    {
        if (_recurring is null || _time.GetTimestamp() < Interlocked.Read(ref _recurringCheckAt))
        {
            return false;
        }

        var epoch = Interlocked.Read(ref _recurringEpoch);
        var (_, more, nextDueIn) = await _recurring.PumpAsync(stoppingToken).ConfigureAwait(false);
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
}
