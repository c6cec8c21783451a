namespace Athomic.Scheduler.Redis.Replies;

/// <summary>What a promotion of due tasks into the streams did: one partition's (<c>promote.lua</c>) or a sweep's over all.</summary>
/// <param name="Count">How many tasks moved into the streams.</param>
/// <param name="NextDueIn">Time until the next pending task is due, or <see langword="null"/> when nothing is pending.</param>
/// <param name="NowMilliseconds">The server's time (Unix ms) when it ran.</param>
/// <param name="RecurringDispatched">How many of the tasks were recurring occurrences whose successors were added.</param>
/// <param name="Waiting">Tasks held back by flow control in the partitions visited.</param>
internal readonly record struct PromotionResult(int Count, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched, long Waiting)
{
    /// <summary>The result as a tuple of the same fields (it deconstructs too), for code that reads it as one.</summary>
    public static implicit operator (int Count, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched, long Waiting)(PromotionResult result) =>
        (result.Count, result.NextDueIn, result.NowMilliseconds, result.RecurringDispatched, result.Waiting);
}
