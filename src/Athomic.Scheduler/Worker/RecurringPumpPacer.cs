using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Recurring;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Worker;

/// <summary>
/// The worker's recurring step: runs the <see cref="RecurringPump"/>, but asks the store only when a schedule can be
/// due: at the time the store gave for the next one, after a wake-up (a schedule was stored or changed), and at least
/// every MaxPollDelay (in case a wake-up was lost). An idle worker thus sends no extra commands.
/// A failure is this step's alone: it is logged and retried with its own backoff (which wake-ups do not cut short),
/// and the claims go on meanwhile.
/// </summary>
internal sealed class RecurringPumpPacer
{
    private readonly RecurringPump _pump;
    private readonly SchedulerWorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Set by wake-ups and dispatches (any thread) as well as by the poll loop.
    private long _checkAt;
    private long _epoch;

    // Only the poll loop reads and writes these.
    private long _retryAt;
    private TimeSpan _backoff;

    public RecurringPumpPacer(RecurringPump pump, SchedulerWorkerOptions options, TimeProvider time, ILogger logger)
    {
        _pump = pump;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>A schedule was stored or changed: look at the next poll, even if a pump is running now.</summary>
    public void Wake()
    {
        Interlocked.Increment(ref _epoch);
        LookNextPoll();
    }

    /// <summary>Look at the next poll (a dispatch added occurrences whose successors are to be prepared).</summary>
    public void LookNextPoll() => Interlocked.Exchange(ref _checkAt, 0);

    /// <summary>Adds due recurring occurrences when a schedule can be due.</summary>
    /// <param name="stoppingToken">Stops the worker.</param>
    /// <returns>Whether more schedules were due than one batch holds (poll again at once).</returns>
    public async Task<bool> PumpIfDueAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetTimestamp();
        if (now < Interlocked.Read(ref _checkAt) || now < _retryAt)
        {
            return false;
        }

        var epoch = Interlocked.Read(ref _epoch);
        (int Added, bool More, TimeSpan? NextDueIn) pumped;
        try
        {
            pumped = await _pump.PumpAsync(stoppingToken).ConfigureAwait(false);
            _backoff = TimeSpan.Zero;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && stoppingToken.IsCancellationRequested))
        {
            _backoff = _backoff == TimeSpan.Zero ? _options.MinPollDelay : _options.GrowPollDelay(_backoff);
            _retryAt = _time.GetTimestamp() + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
            if (ex is SchedulerUnavailableException)
            {
                Log.StoreUnavailable(_logger, _backoff, ex);
            }
            else
            {
                Log.RecurringPumpFailed(_logger, _backoff, ex);
            }

            return false;
        }

        var (_, more, nextDueIn) = pumped;
        var wait = more ? TimeSpan.Zero : nextDueIn is { } next && next < _options.MaxPollDelay ? next : _options.MaxPollDelay;
        var checkAt = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        Interlocked.Exchange(ref _checkAt, checkAt);
        if (Interlocked.Read(ref _epoch) != epoch)
        {
            LookNextPoll(); // a wake-up came in during the pump: look again next poll
        }

        return more;
    }
}
