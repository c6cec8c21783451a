using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>ops_recurring.lua</c>: <c>{ next cursor ('0' when done), then per schedule: id, definition,
/// watermark ('' unknown), pending occurrence's task id ('' none), its due time ('' not pending) }</c>; the due time
/// of an occurrence that waits for flow control is its stored score less <see cref="ParkedScore.Offset"/>.
/// </summary>
internal static class OpsRecurringReply
{
    private const int Header = 1;
    private const int Width = 5;

    public static RecurringScan Read(RedisResult result)
    {
        var reply = new FlatReply(result, Header, Width);
        var items = new RecurringRecord[reply.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var pending = (string?)reply[i, 3];
            items[i] = new RecurringRecord(
                (string)reply[i, 0]!,
                (byte[])reply[i, 1]!,
                OptionalLong(reply[i, 2]),
                string.IsNullOrEmpty(pending) ? null : pending,
                OptionalLong(reply[i, 4]) is { } due ? ParkedScore.DueOf(due) : null);
        }

        var next = (string?)reply[0];
        return new RecurringScan(items, next is null or "0" ? null : next);
    }

    private static long? OptionalLong(RedisResult value) => string.IsNullOrEmpty((string?)value) ? null : (long)value;
}
