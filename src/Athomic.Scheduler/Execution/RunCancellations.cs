using System.Collections.Concurrent;
using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Execution;

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
