using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>stream_name.lua</c>: <c>{ 1 }</c> when the name is taken (or kept) now, else <c>{ 0, holder,
/// ms its hold lasts (-1: for ever) }</c>.
/// </summary>
internal static class StreamNameReply
{
    public static (bool Taken, string? Holder, TimeSpan? Left) Read(RedisResult result)
    {
        var parts = Lists.Array(result);
        if (Scalar.Flag(parts[0]))
        {
            return (true, null, null);
        }

        var left = (long)parts[2];
        return (false, (string?)parts[1], left < 0 ? null : TimeSpan.FromMilliseconds(left));
    }
}
