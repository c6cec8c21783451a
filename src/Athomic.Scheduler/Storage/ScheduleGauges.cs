using System.Diagnostics.Metrics;
using Athomic.Scheduler.Observability;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// The gauges <c>athomic.scheduler.tasks.pending</c>, <c>…in_flight</c> and <c>…dead_letters</c> per partition, on the
/// scheduler's meter. Each observation serves the cached <see cref="ScheduleStatistics"/> of every schedule of this
/// process and refreshes it in the background when it is older than that schedule's refresh interval, so a listener
/// costs one call per partition per interval, and no listener costs nothing (there is no timer).
/// </summary>
internal static class ScheduleGauges
{
    private static readonly object Gate = new();
    private static (ScheduleStatistics Statistics, TimeSpan MaxAge)[] _schedules = [];

    static ScheduleGauges()
    {
        SchedulerMetrics.Meter.CreateObservableGauge(SchedulerMetrics.Pending, () => Observe(static p => p.Pending), "{task}", "Tasks waiting in the schedule, due or not.");
        SchedulerMetrics.Meter.CreateObservableGauge(SchedulerMetrics.InFlight, () => Observe(static p => p.InFlight), "{task}", "Tasks claimed under a lease or queued in the stream.");
        SchedulerMetrics.Meter.CreateObservableGauge(SchedulerMetrics.DeadLetters, () => Observe(static p => p.DeadLetters), "{task}", "Dead letters kept.");
    }

    /// <summary>Observes <paramref name="statistics"/> until the returned registration is disposed.</summary>
    public static IDisposable Register(ScheduleStatistics statistics, TimeSpan maxAge)
    {
        lock (Gate)
        {
            _schedules = [.. _schedules, (statistics, maxAge)];
        }

        return new Registration(statistics);
    }

    private static IEnumerable<Measurement<long>> Observe(Func<PartitionStatistics, long> value)
    {
        foreach (var (statistics, maxAge) in Volatile.Read(ref _schedules))
        {
            if (statistics.Observe(maxAge) is not { } snapshot)
            {
                continue;
            }

            foreach (var partition in snapshot.Partitions)
            {
                yield return new Measurement<long>(value(partition), new("schedule", statistics.Schedule), new("partition", partition.Partition));
            }
        }
    }

    private sealed class Registration(ScheduleStatistics statistics) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
            {
                _schedules = _schedules.Where(s => s.Statistics != statistics).ToArray();
            }
        }
    }
}
