namespace Athomic.Scheduler.Worker;

/// <summary>When this host's worker loop last polled the schedule (local clock), for the worker health check.</summary>
internal sealed class WorkerHeartbeat(TimeProvider time)
{
    private long _lastPollTicks = -1;

    /// <summary>Whether this host runs a worker loop at all (<c>Worker:Enabled</c> and the loop started).</summary>
    public bool Running => Volatile.Read(ref _running);

    private bool _running;

    /// <summary>The time of the last poll, or <see langword="null"/> before the first.</summary>
    public DateTimeOffset? LastPollAt => Interlocked.Read(ref _lastPollTicks) is var ticks and >= 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>Called by the worker loop when it starts (<paramref name="running"/>) and stops.</summary>
    public void SetRunning(bool running)
    {
        Volatile.Write(ref _running, running);
        if (running)
        {
            Beat();
        }
    }

    /// <summary>Called by the worker loop at every poll.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastPollTicks, time.GetUtcNow().UtcTicks);
}
