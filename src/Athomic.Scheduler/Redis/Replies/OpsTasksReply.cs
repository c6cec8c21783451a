using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>ops_tasks.lua</c>: <c>{ end reached (1/0), last score looked at ('' none), its id, then per
/// item: id, score, details ('' missing), owner ('' unknown) }</c>. A dead letter's id is its key
/// (<see cref="DeadLetter.TaskIdOfKey"/>).
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
            var key = (string)reply[i, 0]!;
            items[i] = state == ScheduledTaskState.DeadLetter
                ? Record(DeadLetter.TaskIdOfKey(key), state, (long)reply[i, 1], (byte[])reply[i, 2]!, (string?)reply[i, 3]) with { Key = key }
                : Record(key, state, (long)reply[i, 1], (byte[])reply[i, 2]!, (string?)reply[i, 3]);
        }

        var lastId = (string?)reply[2];
        TaskPosition? last = string.IsNullOrEmpty(lastId) ? null : new TaskPosition((long)reply[1], lastId);
        return new TaskScan(items, last, (long)reply[0] == 1);
    }

    /// <summary>
    /// A task as the operations scripts read it: a pending score at or beyond <see cref="ParkedScore.Offset"/>
    /// is a task that waits for flow control, shown at its due time; the stored score stays its position (cursors).
    /// </summary>
    public static TaskRecord Record(string taskId, ScheduledTaskState state, long score, byte[] bytes, string? owner) =>
        new(taskId, state, score, bytes, string.IsNullOrEmpty(owner) ? null : owner)
        {
            Time = ParkedScore.DueOf(score),
            Waiting = state == ScheduledTaskState.Pending && score >= ParkedScore.Offset,
        };
}
