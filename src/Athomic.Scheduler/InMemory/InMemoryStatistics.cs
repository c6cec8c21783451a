using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.InMemory;

/// <summary>The counts of the gauges and health checks, as <c>stats.lua</c> reads them on Redis.</summary>
internal sealed class InMemoryStatistics(InMemorySchedule schedule) : IStatisticsSource
{
    /// <inheritdoc />
    public Task<PartitionStatistics> ReadStatisticsAsync(int partition, CancellationToken cancellationToken)
    {
        lock (schedule.Gate)
        {
            long? due = schedule.Pending.TryPeek(out _, out var score) ? score : null;
            long? dead = schedule.Dead.Count > 0 ? schedule.Dead[^1].At : null;
            return Task.FromResult(new PartitionStatistics(partition, schedule.Now, schedule.Pending.Count, schedule.InFlight.Count, schedule.Dead.Count, due, dead)
            {
                Recurring = schedule.Recurring.Values.Count(r => r.Definition is not null),
            });
        }
    }
}
