using Athomic.Scheduler.Streams;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>Reads and tampers with the claim of a schedule's one task in Redis, for either broker.</summary>
internal static class ClaimState
{
    /// <summary>Whether the task is claimed: in the in-flight set (lease broker), or pending in the stream's group (streams broker).</summary>
    public static async Task<bool> InFlightAsync(IDatabase db, string prefix, bool streams) =>
        streams
            ? (await db.StreamPendingAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName)).PendingMessageCount == 1
            : await db.SortedSetLengthAsync(Key(prefix, "inflight")) == 1;

    /// <summary>
    /// Makes this process's claim of <paramref name="taskId"/> lost, as if it had stalled past its lease and another
    /// worker had claimed the task: the lease hash gets another fencing token (lease broker), or a consumer named
    /// <c>thief</c> takes the stream entry (streams broker).
    /// </summary>
    public static async Task StealAsync(IDatabase db, string prefix, string taskId, bool streams)
    {
        if (streams)
        {
            var entry = Assert.Single(await db.StreamPendingMessagesAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName, 10, RedisValue.Null));
            await db.StreamClaimIdsOnlyAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName, "thief", 0, [entry.MessageId]);
        }
        else
        {
            Assert.False(await db.HashSetAsync(Key(prefix, "lease"), taskId, "stolen"), "the task had a claim to steal");
        }
    }

    private static RedisKey Key(string prefix, string name) => "{" + prefix + "}:" + name;
}
