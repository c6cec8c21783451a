using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>ops_tasks.lua</c>: <c>{ end reached (1/0), last score looked at ('' none), its id, then per
/// item: id, score, details ('' missing), owner ('' unknown) }</c>.
/// </summary>
internal static class OpsTasksReply
{
    private const int Header = 3;
    private const int Width = 4;

    public static TaskScan Read(RedisResult result, ScheduledTaskState state)
    {
        var reply = new FlatReply(result, Header, Width);
        var items = new TaskRecord[reply.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var owner = (string?)reply[i, 3];
            items[i] = new TaskRecord((string)reply[i, 0]!, state, (long)reply[i, 1], (byte[])reply[i, 2]!, string.IsNullOrEmpty(owner) ? null : owner);
        }

        var lastId = (string?)reply[2];
        TaskPosition? last = string.IsNullOrEmpty(lastId) ? null : new TaskPosition((long)reply[1], lastId);
        return new TaskScan(items, last, (long)reply[0] == 1);
    }
}
