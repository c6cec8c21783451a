using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Redis;

/// <summary>The counts of the gauges and health checks: one <c>stats.lua</c> call.</summary>
internal sealed partial class RedisScheduleStore : IStatisticsSource
{
    /// <inheritdoc />
    public async Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.Stats, [_keys.Pending, _keys.InFlight, _keys.Queued, _keys.DeadIndex])).ConfigureAwait(false);
        return StatsReply.Read(result, partition);
    }
}
