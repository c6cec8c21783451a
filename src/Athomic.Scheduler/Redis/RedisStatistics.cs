using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Redis;

/// <summary>The counts of one schedule or partition for the gauges and health checks: one <c>stats.lua</c> call.</summary>
internal sealed class RedisStatistics(RedisSchedule redis) : IStatisticsSource
{
    private readonly OperationsScripts _scripts = new(redis.Connection, redis.Keys);

    /// <inheritdoc />
    public Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken) => _scripts.StatisticsAsync(partition);
}
