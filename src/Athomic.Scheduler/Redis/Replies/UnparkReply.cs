using Athomic.Scheduler.Flow;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>unpark.lua</c>: the layout of <see cref="ClaimReply"/>, then, when it claimed any task, the
/// concurrency key of the last one (where the next call goes on).
/// </summary>
internal static class UnparkReply
{
    /// <param name="result">The reply.</param>
    /// <param name="afterKey">The key the call went on after: the next one does too when nothing was claimed.</param>
    public static UnparkBatch Read(RedisResult result, string? afterKey)
    {
        var batch = ClaimReply.Read(result);
        var lastKey = batch.Tasks.Count > 0 ? (string?)Lists.Array(result)[^1] : afterKey;
        return new UnparkBatch(batch.Tasks, lastKey, batch.NowMilliseconds, batch.Waiting);
    }
}
