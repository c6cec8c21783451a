using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Readers of the scripts whose reply is one integer: a yes/no, a count or a status. A value outside what the script
/// answers throws <see cref="FormatException"/> (<see cref="EmbeddedScript"/> turns it into a <see cref="ScriptReplyException"/>).
/// </summary>
internal static class Scalar
{
    /// <summary>A reply of 1 (yes) or 0 (no).</summary>
    public static bool Flag(RedisResult reply) => Integer(reply) switch
    {
        1 => true,
        0 => false,
        var other => throw new FormatException($"{other} is not 0 or 1"),
    };

    /// <summary>
    /// The reply of a script that ends a claim and may hand the task on: 0 when the claim was not current, 1 when it
    /// ended, 2 when it ended and a version held back behind it became pending.
    /// </summary>
    public static bool Ended(RedisResult reply) => Integer(reply) switch
    {
        0 => false,
        1 or 2 => true,
        var other => throw new FormatException($"{other} is not 0, 1 or 2"),
    };

    /// <summary>A count (0 or more).</summary>
    public static long Count(RedisResult reply)
    {
        var count = Integer(reply);
        return count >= 0 ? count : throw new FormatException($"{count} is not a count");
    }

    /// <summary>A count (0 or more) that fits an <see cref="int"/>.</summary>
    public static int SmallCount(RedisResult reply)
    {
        var count = Count(reply);
        return count <= int.MaxValue ? (int)count : throw new FormatException($"{count} is too large a count");
    }

    /// <summary>A status: a value of <typeparamref name="TEnum"/>.</summary>
    public static TEnum Status<TEnum>(RedisResult reply)
        where TEnum : struct, Enum
    {
        var value = Integer(reply);
        var status = (TEnum)Enum.ToObject(typeof(TEnum), value);
        return Enum.IsDefined(status) ? status : throw new FormatException($"{value} is not a {typeof(TEnum).Name}");
    }

    /// <summary>An integer reply (nothing else: a string of digits is not one).</summary>
    public static long Integer(RedisResult reply) =>
        reply.Resp2Type == ResultType.Integer ? (long)reply : throw new FormatException($"a {reply.Resp2Type} is not an integer");
}
