using System.Collections.Concurrent;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// The token source of one handler run: cancelled when the host stops (it is linked to the broker's stopping token),
/// at the handler's Timeout, or when the lease keeper learns that the run's claim was lost (<see cref="TryCancel"/>).
/// Runs without a Timeout reuse pooled sources (<see cref="RunCancellations"/>): a linked source per run costs more than
/// a no-op handler's whole run (its registration on the shared stopping token, its disposal).
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

/// <summary>Hands out <see cref="RunCancellation"/>s: pooled ones linked to the broker's stopping token, or one of its own for a run with a Timeout.</summary>
internal sealed class RunCancellations
{
    private readonly ConcurrentQueue<RunCancellation> _pool = new();
    private CancellationToken _stopping;
    private int _bound;

    public RunCancellation Rent(CancellationToken stopping, CancellationToken timeout)
    {
        if (!timeout.CanBeCanceled && Bind(stopping))
        {
            return _pool.TryDequeue(out var pooled) ? pooled : new RunCancellation(CancellationTokenSource.CreateLinkedTokenSource(stopping), pooled: true);
        }

        return new RunCancellation(CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout), pooled: false);
    }

    public void Return(RunCancellation run)
    {
        // TryReset drops what the handler left registered on the token, so a later run's cancellation never calls it.
        if (run.Finish() && run.Pooled && !_stopping.IsCancellationRequested && run.Source.TryReset())
        {
            _pool.Enqueue(run);
        }
        else
        {
            run.Source.Dispose();
        }
    }

    // The pool serves one stopping token, the first it sees (a host has one broker); another gets sources of its own.
    private bool Bind(CancellationToken stopping)
    {
        if (Volatile.Read(ref _bound) == 0 && Interlocked.CompareExchange(ref _bound, 1, 0) == 0)
        {
            _stopping = stopping;
            Volatile.Write(ref _bound, 2);
        }

        return Volatile.Read(ref _bound) == 2 && _stopping == stopping;
    }
}
