using Athomic.Scheduler.Streams;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>Reads the claim of a schedule's one task in Redis, for either broker.</summary>
internal static class ClaimState
{
    /// <summary>Whether the task is claimed: in the in-flight set (lease broker), or pending in the stream's group (streams broker).</summary>
    public static async Task<bool> InFlightAsync(IDatabase db, string prefix, bool streams) =>
        streams
            ? (await db.StreamPendingAsync(Key(prefix, "stream"), RedisStreamQueue.GroupName)).PendingMessageCount == 1
            : await db.SortedSetLengthAsync(Key(prefix, "inflight")) == 1;

    private static RedisKey Key(string prefix, string name) => "{" + prefix + "}:" + name;
}
