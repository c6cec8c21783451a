using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>schedule.lua</c>: one status per task, in the order sent (1 scheduled, 2 rescheduled,
/// 3 already exists, 4 rescheduled after the run: the values of <see cref="ScheduleStatus"/>), written straight into
/// the caller's array of statuses.
/// </summary>
internal static class ScheduleReply
{
    /// <summary>Writes every status into <c>Destination</c> from <c>Offset</c> on; returns how many.</summary>
    public static int Read(RedisResult result, (ScheduleStatus[] Destination, int Offset) into)
    {
        var statuses = Lists.Array(result);
        if (into.Offset + statuses.Length > into.Destination.Length)
        {
            throw new FormatException($"{statuses.Length} statuses, more than the tasks sent");
        }

        for (var i = 0; i < statuses.Length; i++)
        {
            into.Destination[into.Offset + i] = Status(statuses[i]);
        }

        return statuses.Length;
    }

    private static ScheduleStatus Status(RedisResult status)
    {
        var value = Scalar.Integer(status);
        return value is >= (long)ScheduleStatus.Scheduled and <= (long)ScheduleStatus.RescheduledAfterRun
            ? (ScheduleStatus)value
            : throw new FormatException($"{value} is not a {nameof(ScheduleStatus)}");
    }
}
