using Athomic.Scheduler.Extensibility;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// One logical schedule over several partition stores (on Redis: one hash tag each, <c>{KeyPrefix}</c> then
/// <c>{KeyPrefix#i}</c> (<see cref="TaskPartitioner.PartitionPrefix"/>), so a Redis Cluster spreads them over its masters). A task lives in the partition <see cref="TaskPartitioner.PartitionOf"/> picks from its id, so
/// cancel, reschedule, get and every completion go straight to it; claims and dead-letter listings visit all.
/// </summary>
/// <remarks>
/// Claims are fair and cheap: each claim starts at the next partition in turn, and a partition that reported
/// nothing due before time T is skipped until T, until a wake-up from that partition, or at most
/// <c>maxSkip</c> (a safety net for a lost wake-up): an idle partition costs no command between the worker's polls.
/// A partition that fails (down, or answering an error such as BUSY, READONLY or OOM) is skipped with its own backoff
/// and logged; claims and recurring listings go on with the other partitions.
/// </remarks>
internal sealed partial class PartitionedScheduleStore : IScheduleStore, IRecurringStore
{
    private readonly IScheduleStore[] _partitions;
    private readonly IRecurringStore[]? _recurring;

    /// <summary>Creates the store.</summary>
    /// <param name="partitions">The partition stores, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
    /// <param name="time">The local clock, used only to time how long an idle partition is skipped.</param>
    /// <param name="maxSkip">The longest an idle partition is skipped without a wake-up (and the longest backoff of a failing one). Default 30 s.</param>
    /// <param name="logger">Logs the failures of single partitions; <see langword="null"/>: not logged.</param>
    /// <param name="recurring">The same partitions' recurring sides, in the same order; <see langword="null"/>: no recurring schedules.</param>
    public PartitionedScheduleStore(IReadOnlyList<IScheduleStore> partitions, TimeProvider? time = null, TimeSpan? maxSkip = null, ILogger? logger = null, IReadOnlyList<IRecurringStore>? recurring = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        if (partitions.Count == 0)
        {
            throw new ArgumentException("At least one partition is needed.", nameof(partitions));
        }

        _partitions = [.. partitions];
        if (recurring is not null && recurring.Count != partitions.Count)
        {
            throw new ArgumentException("One recurring store per partition is needed.", nameof(recurring));
        }

        _recurring = recurring is null ? null : [.. recurring];
        Sweep = new PartitionSweep(_partitions.Length, time ?? TimeProvider.System, maxSkip ?? TimeSpan.FromSeconds(30), logger, "claim");
        RecurringSweep = new PartitionSweep(_partitions.Length, time ?? TimeProvider.System, maxSkip ?? TimeSpan.FromSeconds(30), logger, "recurring");
    }

    /// <summary>The number of partitions.</summary>
    public int PartitionCount => _partitions.Length;

    /// <summary>The store of partition <paramref name="index"/>.</summary>
    /// <param name="index">The partition index.</param>
    /// <returns>The partition's store.</returns>
    public IScheduleStore Partition(int index) => _partitions[index];

    /// <summary>
    /// Which partitions may have something due (shared with the Redis Streams broker's promotion, so wake-ups and
    /// local writes reach both).
    /// </summary>
    internal PartitionSweep Sweep { get; }

    /// <summary>Which partitions may have recurring schedules to look at (see <see cref="GetDueRecurringAsync"/>).</summary>
    internal PartitionSweep RecurringSweep { get; }

    private IScheduleStore For(string taskId) => _partitions[IndexOf(taskId)];

    private int IndexOf(string taskId) => TaskPartitioner.PartitionOf(taskId, _partitions.Length);

    /// <summary>Runs a write that may make <paramref name="taskId"/>'s partition due sooner, then clears its skip.</summary>
    private async Task<T> Touching<T>(string taskId, Func<IScheduleStore, Task<T>> write)
    {
        var p = IndexOf(taskId);
        var result = await write(_partitions[p]).ConfigureAwait(false);
        Touch(p);
        return result;
    }

    /// <inheritdoc />
    public async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        var tasks = new List<ClaimedEntry>();
        var recurring = 0;
        SweepResult result;
        try
        {
            result = await Sweep.RunAsync(maxCount, async (p, count) =>
            {
                var batch = await _partitions[p].ClaimAsync(count, lease, cancellationToken).ConfigureAwait(false);
                tasks.AddRange(batch.Tasks);
                if (batch.RecurringDispatched > 0)
                {
                    // The claim added those schedules' next occurrences: the workers prepare the successors now.
                    recurring += batch.RecurringDispatched;
                    RecurringSweep.Touch(p);
                }

                return new PartitionVisit(batch.Tasks.Count, batch.NextDueIn, batch.NowMilliseconds);
            }).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Count > 0)
        {
            // Stopped (or failed) mid-sweep: what earlier partitions gave goes back at once rather than waiting for
            // its leases to expire.
            await ReleaseAsync(tasks.ConvertAll(t => t.Claim), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new ClaimBatch(tasks, result.NextDueIn, result.NowMilliseconds, recurring);
    }

    /// <summary>Partition <paramref name="p"/> may have something due sooner: claim it (and list its recurring
    /// schedules) at the next poll.</summary>
    private void Touch(int p)
    {
        Sweep.Touch(p);
        RecurringSweep.Touch(p);
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEarlierTask);
        var subscriptions = new List<IAsyncDisposable>(_partitions.Length);
        try
        {
            for (var p = 0; p < _partitions.Length; p++)
            {
                var index = p;
                subscriptions.Add(await _partitions[p].SubscribeAsync(
                    () =>
                    {
                        Touch(index);
                        onEarlierTask();
                    },
                    cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            await new Subscriptions(subscriptions).DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new Subscriptions(subscriptions);
    }

    private sealed class Subscriptions(List<IAsyncDisposable> subscriptions) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var subscription in subscriptions)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
