namespace Athomic.Scheduler;

/// <summary>
/// Retention of dead letters: the script that writes a dead letter, and every worker's poll of a partition, also
/// removes the oldest beyond <see cref="MaxCount"/> and those older than <see cref="MaxAge"/> (at most 100 per call),
/// so the dead letters never grow without bound, and letters past their age go even from a partition where nothing
/// is dead-lettered any more.
/// </summary>
public sealed class SchedulerDeadLetterOptions
{
    /// <summary>Most dead letters kept per partition; 0 keeps any number. Default 10,000.</summary>
    public int MaxCount { get; set; } = 10_000;

    /// <summary>Longest a dead letter is kept; <see cref="TimeSpan.Zero"/> keeps them for ever. Default 30 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    internal DeadLetterRetention Retention => new(MaxCount, MaxAge);
}
