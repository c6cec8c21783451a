using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>What a drained schedule with flow control leaves in Redis.</summary>
internal static class FlowLeftovers
{
    /// <summary>
    /// The keys of every partition (<c>{prefix}</c>, <c>{prefix#i}</c>) and of flow control (<c>{prefix#flow}</c>) that
    /// still hold state (<see cref="RedisFixture.LeftoverKeysAsync"/>), but the published limits (kept for operators)
    /// and rate windows that expire by themselves: a drained schedule has none.
    /// </summary>
    public static async Task<IReadOnlyList<string>> LeftoverAsync(RedisFixture redis, string prefix)
    {
        var db = redis.Connection.GetDatabase();
        var left = new List<string>();
        foreach (var name in await redis.LeftoverKeysAsync(prefix))
        {
            if (name.EndsWith("#flow}:limits", StringComparison.Ordinal))
            {
                continue;
            }

            if (name.Contains("#flow}:rate:", StringComparison.Ordinal) && await db.KeyTimeToLiveAsync(name) is { } ttl && ttl > TimeSpan.Zero)
            {
                // A rate window's recent starts expire by themselves one window after the last start.
                continue;
            }

            left.Add(name);
        }

        return left;
    }
}
