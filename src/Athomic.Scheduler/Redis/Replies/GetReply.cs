using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>get.lua</c>: <c>{ envelope, state, score }</c> (state 1 pending or 2 in flight, the values of
/// <see cref="ScheduledTaskState"/>; score the due time or lease deadline, ms), or nil when the task is not stored. A task
/// waiting for a flow-control slot is pending at its due time (its score is offset, see <see cref="ParkedScore"/>).
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
        return new StoredTask(taskId, (byte[])reply[Envelope]!, Scalar.Status<ScheduledTaskState>(reply[State]), ParkedScore.DueOf((long)(double)reply[Score]));
    }
}
