namespace Athomic.Scheduler.Serialization;

/// <summary>Unix milliseconds, as stored in Redis, to dates: the one range check for values read from the store.</summary>
internal static class UnixTime
{
    /// <summary>The first and last millisecond a <see cref="DateTimeOffset"/> can hold.</summary>
    public static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();

    /// <inheritdoc cref="MinMilliseconds"/>
    public static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The date of <paramref name="milliseconds"/>, or <see langword="null"/> when no date can hold it (a score written into Redis by hand).</summary>
    public static DateTimeOffset? TryFromMilliseconds(long milliseconds) =>
        milliseconds >= MinMilliseconds && milliseconds <= MaxMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
}
