namespace Athomic.Scheduler.Extensibility;

/// <summary>A claimed task and the lease that keeps it in flight until the broker ends it exactly once.</summary>
public sealed class TaskLease
{
    private readonly ILeaseOwner _owner;

    // The running handler's token source (set by the executor) and whether the claim was found lost: the keeper cancels
    // the run when it learns of the loss. No token source of its own, so a lease costs no allocation beyond the run's.
    private RunCancellation? _run;
    private int _lost;
    private int _ended;

    internal TaskLease(GenericTask task, ILeaseOwner owner, string? receipt = null, long token = 0)
    {
        Task = task;
        _owner = owner;
        Receipt = receipt;
        Claim = new TaskClaim(task.TaskId, token);
    }

    /// <summary>The claim in the store's in-flight set (task id and fencing token); the lease path only.</summary>
    internal TaskClaim Claim { get; }

    /// <summary>The flow-control slot this run holds (freed when the lease ends), or <see langword="null"/>.</summary>
    internal Flow.FlowRequest? Slot { get; set; }

    /// <summary>Set when a renewal found that the claim is no longer current (this process stalled past its lease).</summary>
    internal bool IsLost => Volatile.Read(ref _lost) == 1;

    /// <summary>The run's token source (<see cref="AttachRun"/>), or <see langword="null"/> before the run starts.</summary>
    internal RunCancellation? Run => Volatile.Read(ref _run);

    /// <summary>
    /// Gives the lease its run's token source, which <see cref="MarkLost"/> cancels (at once if the claim is already
    /// lost): the run stops working on a task another worker holds now.
    /// </summary>
    internal void AttachRun(RunCancellation run)
    {
        run.Start(this);
        Interlocked.Exchange(ref _run, run);
        if (IsLost)
        {
            run.TryCancel(this);
        }
    }

    /// <summary>What the owner needs to end this lease besides the task (the stream entry id for the streams broker).</summary>
    internal string? Receipt { get; }

    /// <summary>The claimed task.</summary>
    public GenericTask Task { get; }

    /// <summary>Whether the lease was already ended.</summary>
    public bool IsEnded => Volatile.Read(ref _ended) == 1;

    /// <summary>Ends the lease: the task is done and is removed from the store.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store forgot the task.</returns>
    public Task CompleteAsync(CancellationToken cancellationToken = default) =>
        End() ? _owner.CompleteAsync(this, cancellationToken) : System.Threading.Tasks.Task.CompletedTask;

    /// <summary>Ends the lease: the task goes back to the schedule as its next attempt after <paramref name="delay"/>.</summary>
    /// <param name="delay">The delay before the next attempt.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the task is pending again.</returns>
    public Task RetryAsync(TimeSpan delay, CancellationToken cancellationToken = default) =>
        End() ? _owner.RetryAsync(this, delay, cancellationToken) : System.Threading.Tasks.Task.CompletedTask;

    /// <summary>Ends the lease: the task goes back to the schedule unchanged, due now (this process is stopping).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the task is pending again.</returns>
    public Task ReleaseAsync(CancellationToken cancellationToken = default) =>
        End() ? _owner.ReleaseAsync(this, cancellationToken) : System.Threading.Tasks.Task.CompletedTask;

    /// <summary>Ends the lease: the task goes to the dead letters with <paramref name="reason"/>.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the dead letter is stored.</returns>
    public Task DeadLetterAsync(string reason, CancellationToken cancellationToken = default) =>
        End() ? _owner.DeadLetterAsync(this, reason, cancellationToken) : System.Threading.Tasks.Task.CompletedTask;

    /// <summary>
    /// Marks the claim lost and cancels the run (<see cref="AttachRun"/>). The token's callbacks (the run's linked token, the
    /// handler's registrations) run on the thread pool, not on the caller's renewal loop.
    /// </summary>
    /// <returns><see langword="true"/> when it was not marked lost before.</returns>
    internal bool MarkLost()
    {
        if (Interlocked.Exchange(ref _lost, 1) == 1)
        {
            return false;
        }

        if (Volatile.Read(ref _run) is { } run)
        {
            run.TryCancel(this);
        }

        return true;
    }

    /// <summary>
    /// Ends a lost lease without a store call: the claim belongs to another worker now, so any end would be fenced; the
    /// owner only stops holding it.
    /// </summary>
    internal void Abandon()
    {
        if (End())
        {
            _owner.Abandon(this);
        }
    }

    /// <summary>Marks the lease ended without calling its owner (the owner ends it itself, for example in a batch).</summary>
    /// <returns><see langword="true"/> when it was not ended before.</returns>
    internal bool TryEnd() => End();

    private bool End() => Interlocked.Exchange(ref _ended, 1) == 0;
}
