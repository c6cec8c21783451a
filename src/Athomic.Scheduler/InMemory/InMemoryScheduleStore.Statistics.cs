using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>The counts of the gauges and health checks, as <c>stats.lua</c> reads them on Redis.</summary>
internal sealed partial class InMemoryScheduleStore : IStatisticsSource
{
    /// <inheritdoc />
    public Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            long? due = _pending.TryPeek(out _, out var score) ? score : null;
            long? dead = _dead.Count > 0 ? _dead[^1].At : null;
            return Task.FromResult(new PartitionStatistics(partition, Now, _pending.Count, _inFlight.Count, _dead.Count, due, dead));
        }
    }
}
