namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// The token source of one handler run: cancelled when the host stops (it is linked to the broker's stopping token),
/// at the handler's Timeout, or when the lease keeper learns that the run's claim was lost (<see cref="TryCancel"/>).
/// Runs without a Timeout reuse pooled sources (<c>Execution.RunCancellations</c>): a linked source per run (its
/// registration on the shared stopping token, its disposal) cost about 8 % of a no-op handler's end-to-end run.
/// </summary>
internal sealed class RunCancellation
{
    private readonly object _gate = new();

    // The lease of the current run (a pooled source serves one run after another), null between runs.
    private TaskLease? _lease;

    public RunCancellation(CancellationTokenSource source, bool pooled, CancellationTokenSource? timer = null)
    {
        Source = source;
        Pooled = pooled;
        Timer = timer;
    }

    public CancellationTokenSource Source { get; }

    public bool Pooled { get; }

    /// <summary>The handler's Timeout (a run of its own, never pooled), or <see langword="null"/>.</summary>
    public CancellationTokenSource? Timer { get; }

    /// <summary>Whether the handler's Timeout fired.</summary>
    public bool TimedOut => Timer is { IsCancellationRequested: true };

    /// <summary>Starts the run of <paramref name="lease"/>: only its <see cref="TryCancel"/> cancels, until <see cref="Finish"/>.</summary>
    public void Start(TaskLease lease)
    {
        lock (_gate)
        {
            _lease = lease;
        }
    }

    /// <summary>Cancels the run of <paramref name="lease"/> if it still runs here (never the next run of a pooled source).</summary>
    public void TryCancel(TaskLease lease)
    {
        lock (_gate)
        {
            if (ReferenceEquals(lease, _lease) && !Source.IsCancellationRequested)
            {
                // Callbacks (the handler's registrations) run on the thread pool, not on the caller's renewal loop.
                _ = Source.CancelAsync();
            }
        }
    }

    /// <summary>Ends the current run: a later <see cref="TryCancel"/> for it does nothing.</summary>
    /// <returns>Whether the source can serve another run (it was not cancelled).</returns>
    public bool Finish()
    {
        lock (_gate)
        {
            _lease = null;
            return !Source.IsCancellationRequested;
        }
    }
}
