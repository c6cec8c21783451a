using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Recurring;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Worker;

/// <summary>
/// The hosted service that polls the schedule and hands due tasks on, through the one <see cref="IDueTaskPort"/>
/// chosen when the host was composed.
/// </summary>
/// <remarks>
/// Each poll is one atomic step of the port: by default a claim (due tasks, and tasks whose lease expired, move to the
/// in-flight set under a fenced lease that is renewed until the broker ends it); with the Redis Streams broker a
/// promotion (due tasks move into the stream). When idle, the poll delay grows from
/// <see cref="SchedulerWorkerOptions.MinPollDelay"/> by <see cref="SchedulerWorkerOptions.BackoffFactor"/> up to
/// <see cref="SchedulerWorkerOptions.MaxPollDelay"/>, but never past the next due time the store reports, and a
/// notification that a sooner task was scheduled wakes the worker at once.
/// </remarks>
public sealed class SchedulerWorkerService : BackgroundService
{
    private readonly IScheduleStore _store;
    private readonly IDueTaskPort _port;
    private readonly HandlerCatalog _catalog;
    private readonly SchedulerWorkerOptions _options;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly RecurringPumpPacer? _recurring;
    private long _polls;

    internal SchedulerWorkerService(
        IScheduleStore store,
        IRecurringStore? recurring,
        IDueTaskPort port,
        HandlerCatalog catalog,
        IOptions<SchedulerOptions> options,
        TimeProvider time,
        ILogger<SchedulerWorkerService> logger,
        WorkerHeartbeat? heartbeat = null,
        Flow.FlowGate? gate = null)
    {
        if (gate is not null)
        {
            // A slot freed, a handler resumed or a rate window opened: waiting tasks may run now.
            gate.Woken = Wake;
        }

        _heartbeat = heartbeat ?? new WorkerHeartbeat(time);
        _store = store;
        _port = port;
        _catalog = catalog;
        _options = options.Value.Worker;
        _lease = options.Value.Worker.LeaseDuration;
        _time = time;
        _logger = logger;
        _recurring = recurring is null ? null : new RecurringPumpPacer(new RecurringPump(recurring, options.Value, logger), _options, time, logger);
    }

    private readonly WorkerHeartbeat _heartbeat;

    /// <summary>How many polls (claims) this worker has made; for diagnostics and tests.</summary>
    public long PollCount => Interlocked.Read(ref _polls);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        Log.WorkerStarted(_logger, _store.GetType().Name, _options.BatchSize, _lease, _catalog.Count);
        _heartbeat.SetRunning(true);
        IAsyncDisposable? subscription = null;
        try
        {
            subscription = await _store.SubscribeAsync(Wake, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SubscribeFailed(_logger, ex);
        }

        try
        {
            await PollLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _heartbeat.SetRunning(false);
            if (subscription is not null)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }

            Log.WorkerStopped(_logger);
        }
    }

    private async Task PollLoopAsync(CancellationToken stoppingToken)
    {
        var idleDelay = _options.MinPollDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                Interlocked.Increment(ref _polls);
                _heartbeat.Beat();

                // Recurring schedules first: adds new schedules' first occurrences and prepares the successors that
                // the claim below adds when it dispatches their occurrences.
                var recurringBusy = _recurring is not null && await _recurring.PumpIfDueAsync(stoppingToken).ConfigureAwait(false);
                var poll = await _port.TakeDueAsync(stoppingToken).ConfigureAwait(false);
                var (count, nextDueIn, recurringDispatched) = (poll.Count, poll.NextDueIn, poll.RecurringDispatched);
                if (recurringDispatched > 0)
                {
                    // The claim added those schedules' next occurrences: prepare the successors after them now.
                    _recurring?.LookNextPoll();
                }

                if (poll.Full || recurringBusy || recurringDispatched > 0)
                {
                    idleDelay = _options.MinPollDelay;
                    continue;
                }

                idleDelay = count > 0 ? _options.MinPollDelay : _options.GrowPollDelay(idleDelay);
                wait = nextDueIn is { } next && next < idleDelay ? next : idleDelay;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SchedulerUnavailableException ex)
            {
                idleDelay = _options.GrowPollDelay(idleDelay);
                wait = idleDelay;
                Log.StoreUnavailable(_logger, wait, ex);
            }
            catch (Exception ex)
            {
                idleDelay = _options.GrowPollDelay(idleDelay);
                wait = idleDelay;
                Log.WorkerLoopFailed(_logger, wait, ex);
            }

            await WaitAsync(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    private void Wake()
    {
        _recurring?.Wake();
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var delay = Task.Delay(wait, _time, cts.Token);
        var woken = _wake.WaitAsync(cts.Token);
        await Task.WhenAny(delay, woken).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(delay, woken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // One of the two was cancelled by design.
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
