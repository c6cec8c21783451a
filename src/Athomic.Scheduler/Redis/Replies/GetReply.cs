using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>get.lua</c>: <c>{ envelope, state, score }</c> (state 1 pending or 2 in flight, the values of
/// <see cref="ScheduledTaskState"/>; score the due time or lease deadline, ms), or nil when the task is not stored.
/// </summary>
internal static class GetReply
{
    private const int Envelope = 0, State = 1, Score = 2, Header = 3;

    public static StoredTask? Read(RedisResult result, string taskId)
    {
        if (result.IsNull)
        {
            return null;
        }

        var reply = new FlatReply(result, Header, 1);
        return new StoredTask(taskId, (byte[])reply[Envelope]!, (ScheduledTaskState)(int)reply[State], (long)(double)reply[Score]);
    }
}
