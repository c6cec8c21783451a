using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Storage;

/// <summary>The stores of one schedule (or one partition of it), one per contract: tasks, recurring schedules, dead letters.</summary>
/// <param name="Schedule">The task lifecycle.</param>
/// <param name="Recurring">The recurring schedules.</param>
/// <param name="DeadLetters">The dead letters.</param>
internal sealed record ScheduleStores(IScheduleStore Schedule, IRecurringStore Recurring, IDeadLetterStore DeadLetters)
{
    /// <summary>
    /// The counts the gauges and health checks read, one source per partition in partition order; empty for a store
    /// written outside this library.
    /// </summary>
    public IReadOnlyList<IStatisticsSource> Statistics { get; init; } = [];

    /// <summary>
    /// What the operations API reads and changes, one source per partition in partition order; empty for a store
    /// written outside this library.
    /// </summary>
    public IReadOnlyList<IOperationsSource> Operations { get; init; } = [];

    /// <summary>The cluster-wide state of flow control (limits, rates, pauses); <see langword="null"/> where the store has none.</summary>
    public Flow.IFlowStore? Flow { get; init; }

    /// <summary>One logical schedule over <paramref name="partitions"/>, each store routed by <paramref name="router"/>.</summary>
    /// <param name="partitions">The stores of each partition, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
    /// <param name="router">Routes ids to partitions and tracks which partitions may have something due.</param>
    /// <returns>The partitioned stores.</returns>
    public static ScheduleStores Partitioned(IReadOnlyList<ScheduleStores> partitions, PartitionRouter router)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return new(
            new PartitionedScheduleStore([.. partitions.Select(p => p.Schedule)], router),
            new PartitionedRecurringStore([.. partitions.Select(p => p.Recurring)], router),
            new PartitionedDeadLetterStore([.. partitions.Select(p => p.DeadLetters)], router))
        {
            Statistics = [.. partitions.SelectMany(p => p.Statistics)],
            Operations = [.. partitions.SelectMany(p => p.Operations)],
        };
    }
}
