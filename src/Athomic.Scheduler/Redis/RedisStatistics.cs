using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Redis;

/// <summary>The counts of one schedule or partition for the gauges and health checks: one <c>stats.lua</c> call.</summary>
internal sealed class RedisStatistics(RedisSchedule redis) : IStatisticsSource
{
    /// <inheritdoc />
    public async Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken)
    {
        var keys = redis.Keys;
        var result = await RedisStoreCalls.Call(redis.Db.ScriptEvaluateAsync(LuaScripts.Stats, [keys.Pending, keys.InFlight, keys.Queued, keys.DeadIndex, keys.Recurring])).ConfigureAwait(false);
        return StatsReply.Read(result, partition);
    }
}
