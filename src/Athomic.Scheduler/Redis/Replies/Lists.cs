using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>Readers of the scripts whose reply is one flat list (of names, of counts).</summary>
internal static class Lists
{
    /// <summary>A list of strings, none of them nil (the names of consumers removed, the ids of tasks forgotten).</summary>
    public static string[] Strings(RedisResult reply)
    {
        var items = Array(reply);
        var strings = new string[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            strings[i] = items[i].Resp2Type == ResultType.BulkString && !items[i].IsNull
                ? (string)items[i]!
                : throw new FormatException($"item {i} is a {(items[i].IsNull ? "nil" : items[i].Resp2Type)}, not a string");
        }

        return strings;
    }

    /// <summary>A list of counts, one per item asked for.</summary>
    /// <param name="reply">The reply.</param>
    /// <param name="expected">How many counts the script answers.</param>
    public static long[] Counts(RedisResult reply, int expected)
    {
        var items = Array(reply);
        if (items.Length != expected)
        {
            throw new FormatException($"{items.Length} counts for {expected} items");
        }

        var counts = new long[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            counts[i] = Scalar.Count(items[i]);
        }

        return counts;
    }

    /// <summary>An array reply (nothing else: nil is not an empty array).</summary>
    public static RedisResult[] Array(RedisResult reply) =>
        reply.Resp2Type == ResultType.Array && !reply.IsNull ? (RedisResult[])reply! : throw new FormatException($"a {(reply.IsNull ? "nil" : reply.Resp2Type)} is not an array");
}
