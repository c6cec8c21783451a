namespace Athomic.Scheduler;

/// <summary>Options of <see cref="Worker.SchedulerWorkerService"/>.</summary>
public sealed class SchedulerWorkerOptions
{
    /// <summary>Whether this host runs a worker. Default <see langword="true"/>; set <see langword="false"/> in hosts that only schedule.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many due tasks one claim takes at most. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The first idle poll delay. Default 1 s.</summary>
    public TimeSpan MinPollDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest idle poll delay. Default 30 s.</summary>
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The factor the idle poll delay grows by after each empty poll. Default 1.5.</summary>
    public double BackoffFactor { get; set; } = 1.5;

    /// <summary>How long a claimed task stays leased to this worker before any worker may reclaim it; renewed while the task runs. Default 30 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The poll delay after one more idle or failed poll: <paramref name="delay"/> grown by <see cref="BackoffFactor"/>, at most <see cref="MaxPollDelay"/>.</summary>
    internal TimeSpan GrowPollDelay(TimeSpan delay)
    {
        var grown = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * BackoffFactor);
        return grown > MaxPollDelay ? MaxPollDelay : grown;
    }
}
