using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>ack.lua</c>: per (task id, token) pair sent, in order, 1 when the claim was current (and is now
/// ended), else 0.
/// </summary>
internal static class AckReply
{
    public static bool[] Read(RedisResult result)
    {
        var parts = Lists.Array(result);
        var acked = new bool[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            acked[i] = Scalar.Flag(parts[i]);
        }

        return acked;
    }
}
