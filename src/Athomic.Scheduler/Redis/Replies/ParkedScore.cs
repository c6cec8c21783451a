namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// The pending score of a task that waits for flow control: its due time plus <see cref="Offset"/> (see
/// <c>park.lua</c>), so no claim meets it; the replies that show due times take the offset back off.
/// </summary>
internal static class ParkedScore
{
    /// <summary>Added to a waiting task's due time (2^50 ms, beyond any due time).</summary>
    public const long Offset = 1L << 50;

    /// <summary>The due time of a pending score.</summary>
    public static long DueOf(long score) => score >= Offset ? score - Offset : score;
}
