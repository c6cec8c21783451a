using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Flow;

/// <summary>
/// The cluster-wide state of flow control: slots (concurrency limits per handler and per key, each a lease), rate
/// windows and paused handlers. One per schedule, apart from the partitions; the Redis implementation keeps it
/// under the hash tag of <see cref="Redis.FlowKeys"/>.
/// </summary>
internal interface IFlowStore
{
    /// <summary>Publishes the declared specs of this host's handlers, for operators (<see cref="DescribeAsync"/>).</summary>
    Task PublishLimitsAsync(IReadOnlyList<KeyValuePair<string, HandlerFlowSpec>> specs, CancellationToken cancellationToken);

    /// <summary>
    /// Takes, for each request in order and all-or-nothing per request, a handler slot, a key slot and a rate token as
    /// its spec requires, each slot a lease of <paramref name="lease"/>; refuses every request of a paused handler.
    /// </summary>
    /// <returns>One grant per request, in order.</returns>
    Task<FlowGrant[]> AcquireAsync(IReadOnlyList<FlowRequest> requests, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Frees the slots of ended runs (only the members given: a stale claim frees nothing a newer one holds) and notifies waiting workers.</summary>
    Task ReleaseAsync(IReadOnlyList<FlowRequest> held, CancellationToken cancellationToken);

    /// <summary>Renews the slot leases of running claims; a slot that already expired is not taken again.</summary>
    /// <returns>The runs that lost a slot they held (it expired, and another run may hold the room now): they must stop.</returns>
    Task<IReadOnlyList<FlowRequest>> ExtendAsync(IReadOnlyList<FlowRequest> held, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>The names of the paused handlers.</summary>
    Task<IReadOnlyCollection<string>> GetPausedAsync(CancellationToken cancellationToken);

    /// <summary>Subscribes to "handler X may run more now" (a slot freed, it was resumed) and "X was paused" notifications.</summary>
    /// <param name="onChange">Called (on any thread) with the handler name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<IAsyncDisposable> SubscribeAsync(Action<string> onChange, CancellationToken cancellationToken);

    /// <summary>Pauses a handler (known or not); returns <see langword="true"/> when it was not paused.</summary>
    Task<bool> PauseAsync(string handler, CancellationToken cancellationToken);

    /// <summary>Resumes a handler and wakes the workers; returns <see langword="true"/> when it was paused.</summary>
    Task<bool> ResumeAsync(string handler, CancellationToken cancellationToken);

    /// <summary>Every handler with published limits or paused: its spec, live slots, starts in the current window and paused state.</summary>
    Task<IReadOnlyList<FlowState>> DescribeAsync(CancellationToken cancellationToken);
}

/// <summary>One run that needs flow control.</summary>
/// <param name="Handler">The handler name.</param>
/// <param name="Key">The concurrency key, when the spec has a per-key limit.</param>
/// <param name="Member">The slot's member: <c>partition|task id|fencing token</c>, unique per claim.</param>
/// <param name="Spec">The handler's spec.</param>
internal sealed record FlowRequest(string Handler, string? Key, string Member, HandlerFlowSpec Spec);

/// <summary>The answer to one <see cref="FlowRequest"/>.</summary>
/// <param name="Granted">Whether the run may start (its slots and rate token are taken).</param>
/// <param name="Paused">Refused because the handler is paused.</param>
/// <param name="RetryAtMilliseconds">When refused by the rate limit: when the window has room again (store clock, Unix ms); else 0.</param>
internal readonly record struct FlowGrant(bool Granted, bool Paused, long RetryAtMilliseconds);

/// <summary>What <see cref="IFlowStore.DescribeAsync"/> reports of one handler.</summary>
/// <param name="Handler">The handler name.</param>
/// <param name="Spec">Its published spec, or <see langword="null"/> when no host published one (paused only).</param>
/// <param name="SlotsInUse">Live slots (leases not expired).</param>
/// <param name="StartsInWindow">Starts in the current rate window.</param>
/// <param name="IsPaused">Whether it is paused.</param>
internal sealed record FlowState(string Handler, HandlerFlowSpec? Spec, long SlotsInUse, long StartsInWindow, bool IsPaused);
