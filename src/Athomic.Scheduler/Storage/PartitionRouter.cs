using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// What the partitioned stores of one logical schedule share: which partition an id belongs to
/// (<see cref="TaskPartitioner.PartitionOf"/>), and the sweeps that track which partitions may have something due, so
/// a write or a wake-up through any of the stores steers the next claim and recurring listing.
/// </summary>
internal sealed class PartitionRouter
{
    /// <summary>Creates the router.</summary>
    /// <param name="count">The number of partitions.</param>
    /// <param name="time">The local clock, used only to time how long an idle partition is skipped (on its monotonic timestamp, not its wall time).</param>
    /// <param name="maxSkip">The longest an idle partition is skipped without a wake-up (and the longest backoff of a failing one). Default 30 s.</param>
    /// <param name="logger">Logs the failures of single partitions; <see langword="null"/>: not logged.</param>
    public PartitionRouter(int count, TimeProvider? time = null, TimeSpan? maxSkip = null, ILogger? logger = null)
    {
        if (count < 1)
        {
            throw new ArgumentException("At least one partition is needed.", nameof(count));
        }

        PartitionCount = count;
        Sweep = new PartitionSweep(count, time ?? TimeProvider.System, maxSkip ?? TimeSpan.FromSeconds(30), logger, "claim");
        RecurringSweep = new PartitionSweep(count, time ?? TimeProvider.System, maxSkip ?? TimeSpan.FromSeconds(30), logger, "recurring");
    }

    /// <summary>The number of partitions.</summary>
    public int PartitionCount { get; }

    /// <summary>A copy of <paramref name="partitions"/>, checked to be one store per partition of <paramref name="router"/>.</summary>
    public static T[] Checked<T>(IReadOnlyList<T> partitions, PartitionRouter router)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(router);
        if (partitions.Count != router.PartitionCount)
        {
            throw new ArgumentException($"One store per partition is needed ({router.PartitionCount}).", nameof(partitions));
        }

        return [.. partitions];
    }

    /// <summary>
    /// Which partitions may have something due (shared with the Redis Streams broker's promotion, so wake-ups and
    /// local writes reach both).
    /// </summary>
    public PartitionSweep Sweep { get; }

    /// <summary>Which partitions may have recurring schedules to look at (see <see cref="PartitionedRecurringStore.GetDueRecurringAsync"/>).</summary>
    public PartitionSweep RecurringSweep { get; }

    /// <summary>The partition of <paramref name="id"/> (a task id or a recurring schedule id).</summary>
    public int IndexOf(string id) => TaskPartitioner.PartitionOf(id, PartitionCount);

    /// <summary>Partition <paramref name="p"/> may have something due sooner: claim it (and list its recurring
    /// schedules) at the next poll.</summary>
    public void Touch(int p)
    {
        Sweep.Touch(p);
        RecurringSweep.Touch(p);
    }

    /// <summary>Runs a write that may make <paramref name="taskId"/>'s partition due sooner, then clears its skip.</summary>
    public async Task<T> Touching<TStore, T>(TStore[] partitions, string taskId, Func<TStore, Task<T>> write)
    {
        var p = IndexOf(taskId);
        var result = await write(partitions[p]).ConfigureAwait(false);
        Touch(p);
        return result;
    }

    /// <summary>The indexes <c>0..count-1</c> grouped by the partition of the id at each; <see langword="null"/> for a partition with none.</summary>
    public List<int>?[] Group(int count, Func<int, string> idAt)
    {
        var groups = new List<int>?[PartitionCount];
        for (var i = 0; i < count; i++)
        {
            (groups[IndexOf(idAt(i))] ??= []).Add(i);
        }

        return groups;
    }

    /// <summary><paramref name="items"/> grouped by the partition of each one's id, partitions with none left out.</summary>
    public IEnumerable<(int Partition, List<T> Items)> Split<T>(IReadOnlyCollection<T> items, Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(items);
        var groups = new List<T>?[PartitionCount];
        foreach (var item in items)
        {
            (groups[IndexOf(idOf(item))] ??= []).Add(item);
        }

        for (var p = 0; p < groups.Length; p++)
        {
            if (groups[p] is { } group)
            {
                yield return (p, group);
            }
        }
    }
}
