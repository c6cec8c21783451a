using Athomic.Scheduler.Storage;
using StackExchange.Redis;
using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>get.lua</c>: <c>{ envelope, state, score }</c> (state 1 pending or 2 in flight, the values of
/// <see cref="ScheduledTaskState"/>; score the due time or lease deadline, ms), or nil when the task is not stored.
/// </summary>
internal static class GetReply
{
    private const int Envelope = 0;
    private const int State = 1;
    private const int Score = 2;

    public static StoredTask? Read(RedisResult result, string taskId)
    {
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return new StoredTask(taskId, (byte[])parts[Envelope]!, (ScheduledTaskState)(int)parts[State], (long)(double)parts[Score]);
    }
}
