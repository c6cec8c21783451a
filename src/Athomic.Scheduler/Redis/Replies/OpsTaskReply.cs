using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>ops_task.lua</c>: <c>{ state (0 none, 1 pending, 2 in flight, 3 dead letter), score (-1
/// unknown), envelope or dead-letter record, owner ('' unknown) }</c>.
/// </summary>
internal static class OpsTaskReply
{
    public static TaskRecord? Read(RedisResult result, string taskId)
    {
        var parts = Lists.Array(result);
        if (Scalar.Integer(parts[0]) == 0)
        {
            return null;
        }

        return OpsTasksReply.Record(taskId, Scalar.Status<ScheduledTaskState>(parts[0]), (long)parts[1], (byte[])parts[2]!, (string?)parts[3]);
    }
}
