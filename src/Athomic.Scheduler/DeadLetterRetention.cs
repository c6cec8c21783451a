namespace Athomic.Scheduler;

/// <summary>How many dead letters a store keeps and for how long; the scripts that write a dead letter, and the workers' claims and promotions, trim the rest.</summary>
/// <param name="MaxCount">Most dead letters kept per partition; 0 keeps any number.</param>
/// <param name="MaxAge">Longest a dead letter is kept; <see cref="TimeSpan.Zero"/> keeps them for ever.</param>
internal readonly record struct DeadLetterRetention(int MaxCount, TimeSpan MaxAge)
{
    /// <summary>The defaults of <c>Athomic:Scheduler:DeadLetters</c>: 10,000 per partition, 30 days.</summary>
    public static DeadLetterRetention Default { get; } = new(10_000, TimeSpan.FromDays(30));

    /// <summary><see cref="MaxAge"/> in whole milliseconds, as the scripts take it.</summary>
    public long MaxAgeMilliseconds => (long)MaxAge.TotalMilliseconds;
}
