using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>promote.lua</c>: <c>{ now, next, promoted, chained }</c>, where <c>now</c> is the server's time
/// (ms), <c>next</c> the ms until the next pending due time or lease expiry (-1: none), <c>promoted</c> the tasks moved
/// into the stream and <c>chained</c> the recurring occurrences added.
/// </summary>
internal static class PromoteReply
{
    private const int Now = 0;
    private const int Next = 1;
    private const int Promoted = 2;
    private const int Chained = 3;

    public static (int Count, TimeSpan? NextDueIn, long NowMilliseconds, int RecurringDispatched) Read(RedisResult result)
    {
        var parts = (RedisResult[])result!;
        return ((int)parts[Promoted], ClaimReply.NextDueIn((long)parts[Next]), (long)parts[Now], (int)parts[Chained]);
    }
}
