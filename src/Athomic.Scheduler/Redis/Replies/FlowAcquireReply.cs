using Athomic.Scheduler.Flow;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>flow_acquire.lua</c>: per request, in order, <c>status, retry at (ms)</c>, where status is 1
/// granted, 0 refused (over a limit) or -1 refused (the handler is paused).
/// </summary>
internal static class FlowAcquireReply
{
    private const int Status = 0, RetryAt = 1, PerRequest = 2;

    public static FlowGrant[] Read(RedisResult result, int requests)
    {
        var reply = new FlatReply(result, 0, PerRequest);
        if (reply.Count != requests)
        {
            throw new FormatException($"{reply.Count} grants for {requests} requests");
        }

        var grants = new FlowGrant[requests];
        for (var r = 0; r < grants.Length; r++)
        {
            var status = Scalar.Integer(reply[r, Status]);
            grants[r] = status is >= -1 and <= 1
                ? new FlowGrant(status == 1, status == -1, (long)reply[r, RetryAt])
                : throw new FormatException($"{status} is not a grant status");
        }

        return grants;
    }
}
