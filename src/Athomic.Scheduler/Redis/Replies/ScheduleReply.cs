using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>schedule.lua</c>: one status per task, in the order sent (1 scheduled, 2 rescheduled,
/// 3 already exists, 4 rescheduled after the run: the values of <see cref="ScheduleStatus"/>). A view over the reply,
/// nothing copied.
/// </summary>
internal readonly struct ScheduleReply
{
    private readonly RedisResult[] _statuses;

    private ScheduleReply(RedisResult[] statuses) => _statuses = statuses;

    /// <summary>How many statuses the reply holds.</summary>
    public int Count => _statuses.Length;

    /// <summary>The status of the <paramref name="index"/>-th task sent.</summary>
    public ScheduleStatus this[int index] => (ScheduleStatus)(int)_statuses[index];

    public static ScheduleReply Read(RedisResult result) => new((RedisResult[])result!);

    /// <summary>Writes every status into <paramref name="destination"/> from <paramref name="offset"/> on.</summary>
    public void CopyTo(ScheduleStatus[] destination, int offset)
    {
        for (var i = 0; i < _statuses.Length; i++)
        {
            destination[offset + i] = (ScheduleStatus)(int)_statuses[i];
        }
    }
}
