using Athomic.Scheduler.Storage;
using StackExchange.Redis;
using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>claim.lua</c>: <c>{ now, next, chained, token base, then per task: id, score, envelope,
/// expired }</c>, where <c>now</c> is the server's time (ms), <c>next</c> the ms until the next pending due time or
/// lease expiry (-1: none), <c>chained</c> the recurring occurrences added, <c>score</c> the due time or expired lease
/// deadline, <c>envelope</c> '' when missing, <c>expired</c> 0 when fresh from the schedule, else how many of the task's
/// leases have expired. The k-th task's (from 1) fencing token is <c>token base + k</c>.
/// </summary>
internal static class ClaimReply
{
    private const int Now = 0;
    private const int Next = 1;
    private const int Chained = 2;
    private const int TokenBase = 3;
    private const int Header = 4;

    private const int Id = 0;
    private const int Score = 1;
    private const int Envelope = 2;
    private const int Expired = 3;
    private const int PerTask = 4;

    public static ClaimBatch Read(RedisResult result)
    {
        var parts = (RedisResult[])result!;
        var tokenBase = (long)parts[TokenBase];
        var tasks = new ClaimedEntry[(parts.Length - Header) / PerTask];
        for (var i = 0; i < tasks.Length; i++)
        {
            var p = Header + (i * PerTask);
            var expired = (int)parts[p + Expired];
            tasks[i] = new ClaimedEntry(
                (string)parts[p + Id]!,
                (byte[]?)parts[p + Envelope] ?? [],
                (long)(double)parts[p + Score],
                expired > 0,
                expired,
                tokenBase + i + 1);
        }

        return new ClaimBatch(tasks, NextDueIn((long)parts[Next]), (long)parts[Now], (int)parts[Chained]);
    }

    /// <summary>The <c>next</c> field of <c>claim.lua</c> and <c>promote.lua</c>: ms until something falls due, -1 for nothing.</summary>
    internal static TimeSpan? NextDueIn(long milliseconds) => milliseconds < 0 ? null : TimeSpan.FromMilliseconds(milliseconds);
}
