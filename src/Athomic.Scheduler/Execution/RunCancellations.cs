using System.Collections.Concurrent;
using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Execution;

/// <summary>Hands out <see cref="RunCancellation"/>s: pooled ones linked to the broker's stopping token, or one of its own for a run with a Timeout.</summary>
internal sealed class RunCancellations
{
    private readonly ConcurrentQueue<RunCancellation> _pool = new();
    private CancellationToken _stopping;
    private int _bound;

    /// <summary>A source for a run, with a timer that fires at <paramref name="timeout"/> when one is set (on <paramref name="time"/>'s clock).</summary>
    public RunCancellation Rent(CancellationToken stopping, TimeSpan? timeout, TimeProvider time)
    {
        if (timeout is null && Bind(stopping))
        {
            return _pool.TryDequeue(out var pooled) ? pooled : new RunCancellation(CancellationTokenSource.CreateLinkedTokenSource(stopping), pooled: true);
        }

        var timer = timeout is { } limit ? new CancellationTokenSource(limit, time) : null;
        return new RunCancellation(
            timer is null ? CancellationTokenSource.CreateLinkedTokenSource(stopping) : CancellationTokenSource.CreateLinkedTokenSource(stopping, timer.Token),
            pooled: false,
            timer);
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
            run.Timer?.Dispose();
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
