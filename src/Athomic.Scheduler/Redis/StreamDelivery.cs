using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>One stream entry delivered to this consumer, as stored: nothing in it is trusted yet.</summary>
/// <param name="EntryId">The stream entry id.</param>
/// <param name="TaskId">The task id of the entry, or <c>stream-{EntryId}</c> when it has no valid one.</param>
/// <param name="Envelope">The envelope bytes (empty when missing).</param>
/// <param name="DueMilliseconds">The due time the task had, in Unix milliseconds (0 when unknown).</param>
/// <param name="Problem">Why the entry cannot run whatever its envelope says, or <see langword="null"/>.</param>
/// <param name="Fields">The raw fields and values, to hand the entry back unchanged.</param>
internal sealed record StreamDelivery(string EntryId, string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, string? Problem, RedisValue[] Fields)
{
    /// <summary>Reads an entry's fields: <c>t</c> task id, <c>e</c> envelope, <c>d</c> due time.</summary>
    public static StreamDelivery Parse(string entryId, RedisValue[] fields)
    {
        RedisValue t = RedisValue.Null, e = RedisValue.Null, d = RedisValue.Null;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "t": t = fields[i + 1]; break;
                case "e": e = fields[i + 1]; break;
                case "d": d = fields[i + 1]; break;
            }
        }

        var taskId = (string?)t;
        string? problem = null;
        if (!TaskIds.IsValid(taskId))
        {
            problem = t.IsNull ? "The stream entry has no task id." : "The stream entry's task id is invalid.";
            taskId = "stream-" + entryId;
        }

        var due = d.TryParse(out long ms) ? ms : d.TryParse(out double dms) ? (long)dms : 0;
        return new StreamDelivery(entryId, taskId!, e.IsNull ? ReadOnlyMemory<byte>.Empty : (byte[])e!, due, problem, fields);
    }
}
