using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Holds the claims this process made, from the moment of the claim until each one ends: renews their leases and
/// ends them in the store with the claim's fencing token. A claim whose end fails (store unreachable) is dropped: its
/// lease expires and another worker runs the task again, which is the at-least-once guarantee (never a loss).
/// </summary>
/// <remarks>
/// <para>
/// Every claimed lease is renewed, whether its task runs or waits in the broker's queue, so a backlog never lets a
/// lease expire under a healthy process. The worker claims at most <see cref="Available"/> tasks: the free handler
/// slots plus a prefetch of as many again, so a process never holds more than it can start soon.
/// </para>
/// <para>
/// A renewal goes out every third of the lease even while the last one's reply is awaited, and one that fails is
/// retried promptly with a short backoff (not a whole period later), so a slow, stalled or failed reply does not cost
/// the leases (<see cref="RenewalCadence"/>); start-up checks that the lease is long enough for the connection's timeout.
/// </para>
/// <para>
/// Handlers still running during the host's shutdown keep their leases, and whatever is still held at the very end is
/// handed back. In a host, the end is <see cref="IHostedLifecycleService.StoppedAsync"/>, which the host calls once
/// every hosted service's <c>StopAsync</c> has returned, whether it stops them one after another or, with
/// <c>HostOptions.ServicesStopConcurrently</c>, all at once (the broker, the worker, and a custom broker's own
/// hosted service alike). Called outside a host, <c>StopAsync</c> alone stops it as before.
/// </para>
/// </remarks>
internal sealed class LeaseKeeper : BackgroundService, ILeaseOwner, IHostedLifecycleService
{
    private readonly IScheduleStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _lease;
    private readonly KeyValuePair<string, object?> _schedule;
    private readonly ConcurrentDictionary<TaskClaim, TaskLease> _held = new();
    private readonly SemaphoreSlim _ended = new(0, 1);
    private readonly int _minClaim;

    private readonly Func<TimeSpan?> _storeTimeout;
    private readonly bool _claims;

    // Set by the host's StoppingAsync: the host calls StoppedAsync after every service's StopAsync, so StopAsync waits for that.
    private volatile bool _hostStopping;

    /// <param name="store">The store.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="storeTimeout">The longest the store's client waits for a reply (the Redis connection's timeout), if known.</param>
    public LeaseKeeper(IScheduleStore store, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<LeaseKeeper> logger, Func<TimeSpan?>? storeTimeout = null)
    {
        _store = store;
        _storeTimeout = storeTimeout ?? (() => null);
        _claims = options.Value.Worker.Enabled;
        _time = time;
        _logger = logger;
        _lease = options.Value.Worker.LeaseDuration;
        _schedule = new("schedule", options.Value.KeyPrefix);
        Capacity = 2 * options.Value.Execution.MaxConcurrency;
        _minClaim = Math.Max(1, options.Value.Execution.MaxConcurrency / 2);
    }

    public TimeSpan Lease => _lease;

    /// <summary>Flow control, when a handler declares limits or may be paused: frees and renews the slots of held claims.</summary>
    internal Flow.FlowGate? Flow { get; set; }

    /// <summary>Most claims this process holds at once: <c>MaxConcurrency</c> running plus as many queued (the prefetch).</summary>
    public int Capacity { get; }

    public int HeldCount => _held.Count;

    /// <summary>
    /// How many more tasks this process may claim now: up to <see cref="Capacity"/>, but 0 while more than
    /// <c>MaxConcurrency / 2</c> of the prefetch is still queued (claims of a task or two each time one ends would cost
    /// a round trip per task; the queued ones keep the handler slots busy meanwhile).
    /// </summary>
    public int Available
    {
        get
        {
            var held = _held.Count;
            return held <= Capacity - _minClaim ? Capacity - held : 0;
        }
    }

    /// <summary>Holds a claim from now on: its lease is renewed until it ends.</summary>
    public TaskLease Track(GenericTask task, long token)
    {
        var lease = new TaskLease(task, this, token: token);
        _held[lease.Claim] = lease;
        return lease;
    }

    /// <summary>Stops holding leases whose claims ended elsewhere (flow control made their tasks wait).</summary>
    public void Drop(IEnumerable<TaskLease> leases)
    {
        foreach (var lease in leases)
        {
            Forget(lease.Claim);
        }
    }

    /// <summary>Waits until claims ended so that <see cref="Available"/> is above 0 (at once if that happened since the last call), at most <paramref name="timeout"/>.</summary>
    /// <returns><see langword="true"/> when claims ended; <see langword="false"/> on timeout.</returns>
    public Task<bool> WaitForEndAsync(TimeSpan timeout, CancellationToken cancellationToken) => _ended.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// Checks that the lease outlives one slow reply: a renewal sent a third into the lease that waits the whole
    /// connection timeout must still leave time for its retry, so <c>LeaseDuration</c> must be at least twice the
    /// timeout. A host that claims tasks does not start otherwise.
    /// </summary>
    /// <exception cref="OptionsValidationException">The lease is too short for the connection's timeout.</exception>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_claims && _storeTimeout() is { } timeout && _lease < 2 * timeout)
        {
            throw new OptionsValidationException(
                nameof(SchedulerOptions),
                typeof(SchedulerOptions),
                [$"Athomic:Scheduler:Worker:LeaseDuration ({_lease}) must be at least twice the Redis connection's timeout ({timeout}, the larger of syncTimeout and asyncTimeout): a lease renewal that waits that long for a reply must still be retried before the lease runs out. Raise LeaseDuration or lower the connection's timeouts."]);
        }

        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host is stopping: renewals go on through every service's <c>StopAsync</c>, until <see cref="StoppedAsync"/>.</summary>
    /// <param name="cancellationToken">The host's shutdown token (unused).</param>
    /// <returns>A completed task.</returns>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _hostStopping = true;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops renewing and hands back what is still held, unless the host is stopping (<see cref="StoppingAsync"/>):
    /// then the broker and the worker may still be stopping beside it (<c>HostOptions.ServicesStopConcurrently</c>),
    /// with handlers still running, and <see cref="StoppedAsync"/> does it once they all have stopped.
    /// </summary>
    /// <param name="cancellationToken">The host's shutdown token.</param>
    /// <returns>A task that completes when the claims are handed back (at once in a stopping host).</returns>
    public override Task StopAsync(CancellationToken cancellationToken) =>
        _hostStopping ? Task.CompletedTask : StopHoldingAsync(cancellationToken);

    /// <summary>Every hosted service has stopped: stops renewing and hands back what is still held.</summary>
    /// <param name="cancellationToken">The host's shutdown token.</param>
    /// <returns>A task that completes when the claims are handed back.</returns>
    public Task StoppedAsync(CancellationToken cancellationToken) => StopHoldingAsync(cancellationToken);

    private async Task StopHoldingAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseAsync(_held.Values.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands claims back to the schedule, due now, in one call per partition (shutdown, or a dispatch that failed).</summary>
    public async Task ReleaseAsync(IReadOnlyCollection<TaskLease> leases, CancellationToken cancellationToken)
    {
        var ending = leases.Where(l => l.TryEnd()).ToArray();
        var claims = ending.Select(l => l.Claim).ToArray();
        if (claims.Length == 0)
        {
            return;
        }

        try
        {
            var released = await _store.ReleaseAsync(claims, cancellationToken).ConfigureAwait(false);
            if (released > 0)
            {
                SchedulerMetrics.ReleasedCounter.Add(released, _schedule);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LeaseEndFailed(_logger, claims[0].TaskId, "release", ex);
        }
        finally
        {
            foreach (var claim in claims)
            {
                Forget(claim);
            }

            await ReleaseSlotsAsync(ending).ConfigureAwait(false);
        }
    }

    private Task ReleaseSlotsAsync(IReadOnlyCollection<TaskLease> ended) =>
        Flow is { } flow && ended.Any(l => l.Slot is not null)
            ? flow.ReleaseAsync([.. ended.Where(l => l.Slot is not null).Select(l => l.Slot!)])
            : Task.CompletedTask;

    /// <summary>
    /// Renews held leases every third of the lease duration until the host stops, on <see cref="RenewalCadence"/>: a
    /// renewal goes out on time even while the last one's reply is still awaited, and a failed renewal is retried after
    /// 100 ms, doubling per failure in a row, never later than the next regular renewal.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        RenewalCadence.RunAsync(
            _lease / 3,
            _lease / 3,
            _time,
            () => _held.Values.Where(l => !l.IsLost).ToArray() is { Length: > 0 } leases ? RenewAsync(leases, stoppingToken) : null,
            (failures, retry, error) => Log.LeaseRenewalRetrying(_logger, _held.Count, failures, retry, error),
            stoppingToken);

    /// <summary>Renews the claims and slots of <paramref name="leases"/> once; gives the failure, if any.</summary>
    private async Task<Exception?> RenewAsync(TaskLease[] leases, CancellationToken stoppingToken)
    {
        try
        {
            // Slots and claims in one go: both requests are sent before either reply is awaited, the slots' first, so
            // on one connection Redis renews a run's slot before its claim (a claim never outlives its slot), and a
            // stall of the replies alone costs neither (the renewals ran; only their answers wait). A run whose slot
            // lapsed (another run may hold the room now) is cancelled and its claim let go.
            var slots = Flow is { } flow && leases.Any(l => l.Slot is not null)
                ? flow.ExtendAsync([.. leases.Where(l => l.Slot is not null).Select(l => l.Slot!)], _lease, stoppingToken)
                : null;
            var claims = _store.ExtendLeasesAsync(leases.Select(l => l.Claim).ToArray(), _lease, stoppingToken);
            Exception? failed = null;
            if (slots is not null)
            {
                try
                {
                    MarkSlotsLost(leases, await slots.ConfigureAwait(false));
                }
                catch (Exception ex)
                {
                    failed = ex;
                }
            }

            MarkLost(await claims.ConfigureAwait(false));
            return failed;
        }
        catch (Exception ex)
        {
            // Also a cancellation that is not the host's stop (a client that gave up): retried like any failure.
            return ex;
        }
    }

    private void MarkSlotsLost(IReadOnlyList<TaskLease> leases, IReadOnlyList<Flow.FlowRequest> lost)
    {
        if (lost.Count == 0)
        {
            return;
        }

        // Cancels the run and stops renewing its claim: the task is claimed again once its lease runs out, under a new slot.
        var count = leases.Count(l => l.Slot is { } slot && lost.Contains(slot) && l.MarkLost());
        if (count > 0)
        {
            Log.FlowSlotsLost(_logger, count);
        }
    }

    private void MarkLost(IReadOnlyList<TaskClaim> claims)
    {
        var count = 0;
        foreach (var claim in claims)
        {
            // Cancels the run's token: a stalled process stops working on a task that another worker runs now.
            if (_held.TryGetValue(claim, out var lease) && lease.MarkLost())
            {
                count++;
            }
        }

        if (count > 0)
        {
            Log.LeasesLost(_logger, count);
        }
    }

    Task ILeaseOwner.CompleteAsync(TaskLease lease, CancellationToken ct) =>
        EndAsync(lease, "complete", SchedulerMetrics.CompletedCounter, () => _store.AckAsync(lease.Claim, ct));

    Task ILeaseOwner.RetryAsync(TaskLease lease, TimeSpan delay, CancellationToken ct)
    {
        var next = LeaseOutcome.NextAttempt(lease.Task);
        return EndAsync(lease, "retry", SchedulerMetrics.RetriedCounter, () => _store.RetryAsync(lease.Claim, next, delay, ct));
    }

    Task ILeaseOwner.ReleaseAsync(TaskLease lease, CancellationToken ct) =>
        EndAsync(lease, "release", SchedulerMetrics.ReleasedCounter, async () => await _store.ReleaseAsync([lease.Claim], ct).ConfigureAwait(false) == 1);

    Task ILeaseOwner.DeadLetterAsync(TaskLease lease, string reason, CancellationToken ct)
    {
        var record = LeaseOutcome.DeadLetterRecord(lease.Task, reason, _time);
        return EndAsync(lease, "dead-letter", SchedulerMetrics.DeadLetteredCounter, () => _store.DeadLetterAsync(lease.Claim, record, ct));
    }

    void ILeaseOwner.Abandon(TaskLease lease) => Forget(lease.Claim);

    // Without a flow-control slot (no limits declared), the end has no second await: an await in the finally would make
    // every run's state machine larger.
    private Task EndAsync(TaskLease lease, string action, Counter<long> counter, Func<Task<bool>> end) =>
        lease.Slot is { } slot && Flow is { } flow ? EndHoldingSlotAsync(lease, action, counter, end, slot, flow) : EndClaimAsync(lease, action, counter, end);

    private async Task EndClaimAsync(TaskLease lease, string action, Counter<long> counter, Func<Task<bool>> end)
    {
        try
        {
            await LeaseOutcome.EndAsync(_logger, _schedule, lease.Task, action, counter, end).ConfigureAwait(false);
        }
        finally
        {
            Forget(lease.Claim);
        }
    }

    private async Task EndHoldingSlotAsync(TaskLease lease, string action, Counter<long> counter, Func<Task<bool>> end, Flow.FlowRequest slot, Flow.FlowGate flow)
    {
        try
        {
            await EndClaimAsync(lease, action, counter, end).ConfigureAwait(false);
        }
        finally
        {
            await flow.ReleaseAsync([slot]).ConfigureAwait(false);
        }
    }

    private void Forget(TaskClaim claim)
    {
        // Wake the worker only when it may claim again, not at every end (a wake-up per task costs a context switch).
        if (_held.TryRemove(claim, out _) && Available > 0 && _ended.CurrentCount == 0)
        {
            try
            {
                _ended.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _ended.Dispose();
        base.Dispose();
    }
}
