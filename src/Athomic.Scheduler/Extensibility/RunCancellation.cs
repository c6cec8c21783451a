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
    private long _generation;

    public RunCancellation(CancellationTokenSource source, bool pooled)
    {
        Source = source;
        Pooled = pooled;
    }

    public CancellationTokenSource Source { get; }

    public bool Pooled { get; }

    /// <summary>The current run (a pooled source serves one run after another).</summary>
    public long Generation
    {
        get
        {
            lock (_gate)
            {
                return _generation;
            }
        }
    }

    /// <summary>Cancels the run <paramref name="generation"/> if it still runs here (never the next run of a pooled source).</summary>
    public void TryCancel(long generation)
    {
        lock (_gate)
        {
            if (generation == _generation && !Source.IsCancellationRequested)
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
            _generation++;
            return !Source.IsCancellationRequested;
        }
    }
}
