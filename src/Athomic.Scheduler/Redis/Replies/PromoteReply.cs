using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>promote.lua</c>: <c>{ now, next, promoted, chained, waiting }</c>, where <c>now</c> is the server's time
/// (ms), <c>next</c> the ms until the next pending due time or lease expiry (-1: none), <c>promoted</c> the tasks moved
/// into the stream, <c>chained</c> the recurring occurrences added and <c>waiting</c> the tasks held back by flow control.
/// </summary>
internal static class PromoteReply
{
    private const int Now = 0, Next = 1, Promoted = 2, Chained = 3, Waiting = 4, Header = 5;

    public static PromotionResult Read(RedisResult result)
    {
        var reply = new FlatReply(result, Header, 1);
        return new PromotionResult((int)reply[Promoted], ClaimReply.NextDueIn((long)reply[Next]), (long)reply[Now], (int)reply[Chained], (long)reply[Waiting]);
    }
}
