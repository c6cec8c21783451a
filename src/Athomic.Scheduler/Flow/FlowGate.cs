using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Flow;

/// <summary>
/// The worker's side of flow control. Claimed tasks of a handler with a concurrency or rate limit, or of a paused
/// handler, must take their slots (<see cref="IFlowStore.AcquireAsync"/>) before they start; a task that gets none
/// waits in the schedule (<see cref="IFlowParking.ParkAsync"/>: pending at its due time, no attempt used, never met by
/// a claim again, so it blocks no other handler or key). When a slot frees, the handler is resumed or its rate window
/// has room, the workers hear of it and claim that handler's waiting tasks (<see cref="IFlowParking.UnparkAsync"/>),
/// keys in turn, and gate them the same way.
/// </summary>
/// <remarks>
/// A slot is a lease of the task's claim: taken by member <c>partition|task id|fencing token</c>, renewed with the
/// claim, freed when the claim ends (only that member: a stale claim frees nothing a newer one holds), and back by
/// itself when a crashed worker's lease expires. Handlers without limits cost nothing: their tasks never come here,
/// and with no limit declared and nothing paused the gate is not on the claim path at all. A safety net looks at the
/// waiting tasks of each limited handler every <see cref="SafetyNetPeriod"/> while some wait, in case a notification
/// was lost.
/// </remarks>
internal sealed class FlowGate : IAsyncDisposable
{
    /// <summary>How often a handler's waiting tasks are looked at without a notification, while some may wait.</summary>
    internal static readonly TimeSpan SafetyNetPeriod = TimeSpan.FromSeconds(2);

    private static readonly HandlerFlowSpec PausedOnly = new();

    private readonly IFlowStore _store;
    private readonly IFlowParking _parking;
    private readonly Dictionary<string, HandlerFlowSpec> _specs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _paused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ready = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _waiting = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _cursor = new(StringComparer.Ordinal);
    private readonly int _partitions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private IAsyncDisposable? _subscription;
    private long _waitingSeenAt = long.MinValue / 2;
    private readonly long _waitingMemoryMs;

    /// <param name="store">The flow state.</param>
    /// <param name="parking">Where tasks wait.</param>
    /// <param name="catalog">The host's handlers.</param>
    /// <param name="partitions">The partition count (slot members name the partition).</param>
    /// <param name="maxPollDelay">The longest a partition goes unvisited: how long a report of waiting tasks is trusted.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    public FlowGate(IFlowStore store, IFlowParking parking, HandlerCatalog catalog, int partitions, TimeSpan maxPollDelay, TimeProvider time, ILogger logger)
    {
        _waitingMemoryMs = 2 * (long)maxPollDelay.TotalMilliseconds + (long)SafetyNetPeriod.TotalMilliseconds;
        _store = store;
        _parking = parking;
        _partitions = partitions;
        _time = time;
        _logger = logger;
        foreach (var handler in catalog.All)
        {
            if (handler.Flow is { IsGated: true } spec)
            {
                _specs[handler.Name] = spec;
            }
        }
    }

    /// <summary>Called (on any thread) when a handler's waiting tasks may run now: the worker should poll.</summary>
    public Action? Woken { get; set; }

    /// <summary>Whether claimed tasks must pass the gate (a limit is declared here, or a handler is paused).</summary>
    public bool IsActive => _specs.Count > 0 || !_paused.IsEmpty;

    /// <summary>The handlers with limits declared in this host.</summary>
    public IReadOnlyDictionary<string, HandlerFlowSpec> Specs => _specs;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Publishes this host's limits, loads the paused handlers and subscribes to flow notifications.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.PublishLimitsAsync([.. _specs], cancellationToken).ConfigureAwait(false);
        try
        {
            _subscription = await _store.SubscribeAsync(OnNotification, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FlowSubscribeFailed(_logger, SafetyNetPeriod, ex);
        }

        foreach (var name in await _store.GetPausedAsync(cancellationToken).ConfigureAwait(false))
        {
            _paused[name] = 0;
        }

        // Tasks may wait from an earlier run: look at every limited handler once.
        foreach (var name in _specs.Keys)
        {
            MarkReady(name, 0);
        }

        Log.FlowStarted(_logger, _specs.Count, _paused.Count);
    }

    /// <summary>
    /// Lets the claimed tasks that may start now through, taking their slots; the others wait in the schedule and their
    /// claims end. Leases that pass get their slot attached, so ending them frees it.
    /// </summary>
    /// <param name="claimed">The claimed tasks' leases and their entries (due times).</param>
    /// <param name="lease">The slot lease (the claim's lease).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The leases that may start, and those that now wait (their claims ended; the caller stops holding them).</returns>
    public async Task<(List<TaskLease> Run, List<TaskLease> Parked)> AdmitAsync(IReadOnlyList<(TaskLease Lease, long DueMilliseconds)> claimed, TimeSpan lease, CancellationToken cancellationToken)
    {
        var run = new List<TaskLease>(claimed.Count);
        List<(TaskLease Lease, long Due, FlowRequest Request)>? gated = null;
        foreach (var (taskLease, due) in claimed)
        {
            if (RequestOf(taskLease.Task, Member(taskLease.Claim)) is { } request)
            {
                (gated ??= []).Add((taskLease, due, request));
            }
            else
            {
                run.Add(taskLease);
            }
        }

        var parked = new List<TaskLease>();
        if (gated is null)
        {
            return (run, parked);
        }

        var grants = await _store.AcquireAsync([.. gated.Select(g => g.Request)], lease, cancellationToken).ConfigureAwait(false);
        var waiting = new List<ParkedTask>();
        for (var i = 0; i < gated.Count; i++)
        {
            var (taskLease, due, request) = gated[i];
            var grant = grants[i];
            if (grant.Granted)
            {
                taskLease.Slot = request;
                run.Add(taskLease);
                continue;
            }

            parked.Add(taskLease);
            waiting.Add(new ParkedTask(taskLease.Claim, request.Handler, request.Key ?? string.Empty, due));
            NoteRefused(request.Handler, grant);
        }

        if (waiting.Count > 0)
        {
            foreach (var group in waiting.GroupBy(w => w.Handler))
            {
                Log.FlowHeldBack(_logger, group.Count(), group.Key, _paused.ContainsKey(group.Key) ? "the handler is paused" : "its limit is reached");
            }

            foreach (var taskLease in parked)
            {
                taskLease.TryEnd();
            }

            await _parking.ParkAsync(waiting, cancellationToken).ConfigureAwait(false);
        }

        return (run, parked);
    }

    /// <summary>
    /// The streams broker's admission of one delivered task: takes its slot, or says it must wait (the caller takes the
    /// entry out of the stream). A task of a handler without limits, not paused, passes with no slot.
    /// </summary>
    /// <param name="task">The task.</param>
    /// <param name="member">The slot's member, unique per delivery.</param>
    /// <param name="lease">The slot lease.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it may run, the slot it holds (free it when the run ends), and its concurrency key when it must wait.</returns>
    public async Task<(bool Run, FlowRequest? Slot, string? WaitKey)> AdmitOneAsync(GenericTask task, string member, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (!IsActive || RequestOf(task, member) is not { } request)
        {
            return (true, null, null);
        }

        var grant = (await _store.AcquireAsync([request], lease, cancellationToken).ConfigureAwait(false))[0];
        if (grant.Granted)
        {
            return (true, request, null);
        }

        NoteRefused(request.Handler, grant);
        Log.FlowHeldBack(_logger, 1, request.Handler, grant.Paused ? "the handler is paused" : "its limit is reached");
        return (false, null, request.Key ?? string.Empty);
    }

    /// <summary>
    /// Renews <paramref name="slot"/> every third of <paramref name="lease"/> until the returned handle is disposed (the
    /// run ended), on <see cref="RenewalCadence"/>: on time even while the last reply is awaited, and a failed renewal
    /// is retried after 100 ms, doubling per failure in a row. When a renewal finds the slot lapsed (another run may
    /// hold the room now), calls <paramref name="lost"/> (which cancels the run) and stops.
    /// </summary>
    public IAsyncDisposable KeepAlive(FlowRequest slot, TimeSpan lease, Action lost)
    {
        var stop = new CancellationTokenSource();
        async Task<Exception?> RenewAsync()
        {
            try
            {
                if ((await ExtendAsync([slot], lease, stop.Token).ConfigureAwait(false)).Count > 0 && !stop.IsCancellationRequested)
                {
                    Log.FlowSlotsLost(_logger, 1);
                    lost();
                    await stop.CancelAsync().ConfigureAwait(false);
                }

                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                return ex;
            }
        }

        var loop = Task.Run(() => RenewalCadence.RunAsync(
            lease / 3,
            lease / 3,
            _time,
            RenewAsync,
            (failures, _, error) => Log.FlowExtendFailed(_logger, 1, error),
            stop.Token));
        return new SlotRenewal(stop, loop);
    }

    /// <summary>The handlers whose waiting tasks should be claimed now (notified, rate window open, or the safety net).</summary>
    public IReadOnlyList<string> TakeReady()
    {
        var now = Now;
        List<string>? ready = null;
        foreach (var (handler, at) in _ready)
        {
            if (at <= now && !_paused.ContainsKey(handler) && _ready.TryRemove(new KeyValuePair<string, long>(handler, at)))
            {
                (ready ??= []).Add(handler);
            }
        }

        return ready ?? (IReadOnlyList<string>)[];
    }

    /// <summary>The time until the next handler is due to be looked at, or <see langword="null"/> when none is.</summary>
    public TimeSpan? NextReadyIn()
    {
        if (_ready.IsEmpty)
        {
            return null;
        }

        var soonest = _ready.Values.Min();
        return TimeSpan.FromMilliseconds(Math.Max(0, soonest - Now));
    }

    /// <summary>Claims waiting tasks of <paramref name="handler"/> again (keys in turn), up to <paramref name="maxCount"/>.</summary>
    public async Task<IReadOnlyList<ClaimedEntry>> UnparkAsync(string handler, int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var spec = _specs.GetValueOrDefault(handler);
        var perKey = spec is { MaxConcurrencyPerKey: > 0 } ? spec.MaxConcurrencyPerKey : maxCount;
        var batch = await _parking.UnparkAsync(handler, maxCount, perKey, _cursor.GetValueOrDefault(handler), lease, cancellationToken).ConfigureAwait(false);
        _cursor[handler] = batch.LastKey;
        if (batch.Tasks.Count == 0)
        {
            _waiting.TryRemove(handler, out _);
        }
        else
        {
            // More may wait behind them: look again after the safety-net period if nothing frees a slot sooner.
            MarkReady(handler, Now + (long)SafetyNetPeriod.TotalMilliseconds);
        }

        if (batch.Waiting > 0)
        {
            Volatile.Write(ref _waitingSeenAt, Now);
        }

        return batch.Tasks;
    }

    /// <summary>Frees the slots of ended runs (best effort: a slot not freed comes back when its lease expires).</summary>
    public async Task ReleaseAsync(IReadOnlyList<FlowRequest> slots)
    {
        if (slots.Count == 0)
        {
            return;
        }

        try
        {
            await _store.ReleaseAsync(slots, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.FlowReleaseFailed(_logger, slots.Count, ex);
        }

        if (AnyWaiting(Now))
        {
            foreach (var slot in slots)
            {
                // Its waiting tasks may take the freed slot at once, without a round trip through Pub/Sub.
                MarkReady(slot.Handler, 0);
            }
        }
    }

    /// <summary>Renews the slot leases of running claims.</summary>
    /// <returns>The slots that lapsed (another run may hold the room now): their runs must stop.</returns>
    /// <exception cref="Exception">The store could not be reached; the caller retries.</exception>
    public Task<IReadOnlyList<FlowRequest>> ExtendAsync(IReadOnlyList<FlowRequest> slots, TimeSpan lease, CancellationToken cancellationToken) =>
        slots.Count == 0 ? Task.FromResult<IReadOnlyList<FlowRequest>>([]) : _store.ExtendAsync(slots, lease, cancellationToken);

    /// <summary>
    /// A safety net, after each poll: while the store reports waiting tasks (<paramref name="waiting"/>, from the
    /// partitions the poll visited; every partition is visited at least once per <c>MaxPollDelay</c>), every limited
    /// handler of this host and every handler it saw wait is looked at again within <see cref="SafetyNetPeriod"/>, so
    /// tasks that another worker made wait (and then died, or holds a rate timer) are never stuck for lack of a
    /// notification.
    /// </summary>
    public void ArmSafetyNet(long waiting)
    {
        var now = Now;
        if (waiting > 0)
        {
            Volatile.Write(ref _waitingSeenAt, now);
        }

        if (!AnyWaiting(now))
        {
            _waiting.Clear();
            return;
        }

        var at = now + (long)SafetyNetPeriod.TotalMilliseconds;
        foreach (var handler in _specs.Keys.Concat(_waiting.Keys))
        {
            _ready.TryAdd(handler, at);
        }
    }

    /// <summary>Whether tasks may wait: the store reported some lately, or this host made some wait.</summary>
    private bool AnyWaiting(long now) => !_waiting.IsEmpty || now - Volatile.Read(ref _waitingSeenAt) < _waitingMemoryMs;

    public async ValueTask DisposeAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnNotification(string message)
    {
        if (message.Length < 3 || message[1] != ':')
        {
            return;
        }

        var handler = message[2..];
        switch (message[0])
        {
            case 'p':
                _paused[handler] = 0;
                return;
            case 'r':
                // Resumed: its tasks that waited while it was paused run now, wherever they wait.
                _paused.TryRemove(handler, out _);
                _waiting[handler] = 1;
                break;
            case 'f' when !AnyWaiting(Now):
                // A slot freed, and no task is known to wait: nothing to claim (the common case, one message per run).
                return;
        }

        MarkReady(handler, 0);
    }

    private void MarkReady(string handler, long at)
    {
        _ready.AddOrUpdate(handler, at, (_, existing) => Math.Min(existing, at));
        if (at <= Now)
        {
            Woken?.Invoke();
        }
    }

    private FlowRequest? RequestOf(GenericTask task, string member)
    {
        var spec = _specs.GetValueOrDefault(task.Handler) ?? (_paused.ContainsKey(task.Handler) ? PausedOnly : null);
        return spec is null ? null : new FlowRequest(task.Handler, KeyOf(task, spec), member, spec);
    }

    private void NoteRefused(string handler, FlowGrant grant)
    {
        _waiting[handler] = 1;
        if (grant.Paused)
        {
            _paused[handler] = 0;
        }
        else if (grant.RetryAtMilliseconds > 0)
        {
            // The rate window has room at that time (store clock); this host's clock is close enough to wake on.
            MarkReady(handler, grant.RetryAtMilliseconds);
        }
    }

    private sealed class SlotRenewal(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
            stop.Dispose();
        }
    }

    private string? KeyOf(GenericTask task, HandlerFlowSpec spec)
    {
        if (spec.MaxConcurrencyPerKey <= 0 || spec.KeySelector is null)
        {
            return null;
        }

        try
        {
            return spec.KeySelector(task.Payload);
        }
        catch (Exception ex)
        {
            Log.FlowKeyUnreadable(_logger, task.TaskId, task.Handler, ex);
            return null;
        }
    }

    private string Member(TaskClaim claim) =>
        string.Concat(
            TaskPartitioner.PartitionOf(claim.TaskId, _partitions).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "|",
            claim.TaskId,
            "|",
            claim.Token.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
