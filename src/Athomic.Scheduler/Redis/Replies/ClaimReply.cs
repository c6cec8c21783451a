using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>claim.lua</c> (and <c>unpark.lua</c>): <c>{ now, next, chained, token base, waiting, then per
/// task: id, score, envelope, expired }</c>, where <c>waiting</c> counts the partition's tasks held back by flow control, where <c>now</c> is the server's time (ms), <c>next</c> the ms until the next pending due time or
/// lease expiry (-1: none), <c>chained</c> the recurring occurrences added, <c>score</c> the due time or expired lease
/// deadline, <c>envelope</c> '' when missing, <c>expired</c> 0 when fresh from the schedule, else how many of the task's
/// leases have expired. The k-th task's (from 1) fencing token is <c>token base + k</c>.
/// </summary>
internal static class ClaimReply
{
    private const int Now = 0, Next = 1, Chained = 2, TokenBase = 3, Waiting = 4, Header = 5;
    private const int Id = 0, Score = 1, Envelope = 2, Expired = 3, PerTask = 4;

    public static ClaimBatch Read(RedisResult result)
    {
        var reply = new FlatReply(result, Header, PerTask);
        var tokenBase = (long)reply[TokenBase];
        var tasks = new ClaimedEntry[reply.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            var expired = (int)reply[i, Expired];
            tasks[i] = new ClaimedEntry(
                (string)reply[i, Id]!,
                (byte[]?)reply[i, Envelope] ?? [],
                (long)(double)reply[i, Score],
                expired > 0,
                expired,
                tokenBase + i + 1);
        }

        return new ClaimBatch(tasks, NextDueIn((long)reply[Next]), (long)reply[Now], (int)reply[Chained]) { Waiting = (long)reply[Waiting] };
    }

    /// <summary>The <c>next</c> field of <c>claim.lua</c> and <c>promote.lua</c>: ms until something falls due, -1 for nothing.</summary>
    internal static TimeSpan? NextDueIn(long milliseconds) => milliseconds < 0 ? null : TimeSpan.FromMilliseconds(milliseconds);
}
