using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>stats.lua</c>: <c>{ now, pending, in flight, dead letters, first due (-1: none), newest dead
/// letter (-1: none), recurring schedules }</c>, times in Unix ms on the server's clock.
/// </summary>
internal static class StatsReply
{
    public static PartitionStatistics Read(RedisResult result, int partition)
    {
        var parts = Lists.Array(result);
        var due = (long)parts[4];
        var dead = (long)parts[5];
        return new PartitionStatistics(partition, (long)parts[0], (long)parts[1], (long)parts[2], (long)parts[3], due < 0 ? null : due, dead < 0 ? null : dead)
        {
            Recurring = parts.Length > 6 ? (long)parts[6] : 0,
        };
    }
}
