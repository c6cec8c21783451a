using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>stream_keepalive.lua</c>: <c>{ lost, gone }</c>, the entry ids another consumer owns by now and
/// those deleted from the stream.
/// </summary>
internal static class StreamKeepAliveReply
{
    public static (string[] Lost, string[] Gone) Read(RedisResult result)
    {
        var parts = Lists.Array(result);
        return (Lists.Strings(parts[0]), Lists.Strings(parts[1]));
    }
}
