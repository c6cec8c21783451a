using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// One logical schedule over several partition stores (on Redis: one hash tag each, <c>{KeyPrefix}</c> then
/// <c>{KeyPrefix#i}</c> (<see cref="TaskPartitioner.PartitionPrefix"/>), so a Redis Cluster spreads them over its masters). A task lives in the partition <see cref="TaskPartitioner.PartitionOf"/> picks from its id, so
/// cancel, reschedule, get and every completion go straight to it; claims visit all. Its recurring schedules and dead
/// letters are kept by <see cref="PartitionedRecurringStore"/> and <see cref="PartitionedDeadLetterStore"/> over the
/// same partitions, sharing its <see cref="PartitionRouter"/>.
/// </summary>
/// <remarks>
/// Claims are fair and cheap: each claim starts at the next partition in turn, and a partition that reported
/// nothing due before time T is skipped until T, until a wake-up from that partition, or at most
/// <c>maxSkip</c> (a safety net for a lost wake-up): an idle partition costs no command between the worker's polls.
/// A partition that fails (down, or answering an error such as BUSY, READONLY or OOM) is skipped with its own backoff
/// and logged; claims and recurring listings go on with the other partitions.
/// </remarks>
internal sealed partial class PartitionedScheduleStore : IScheduleStore
{
    private readonly IScheduleStore[] _partitions;
    private readonly PartitionRouter _router;

    /// <summary>Creates the store.</summary>
    /// <param name="partitions">The partition stores, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
    /// <param name="router">
    /// Routes ids and tracks which partitions may have something due, shared with the partitioned recurring and
    /// dead-letter stores of the same schedule; <see langword="null"/>: a router of its own, on the system clock.
    /// </param>
    public PartitionedScheduleStore(IReadOnlyList<IScheduleStore> partitions, PartitionRouter? router = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        _router = router ?? new PartitionRouter(partitions.Count);
        _partitions = PartitionRouter.Checked(partitions, _router);
    }

    /// <inheritdoc />
    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
        ClaimAsync(maxCount, lease, null, cancellationToken);

    /// <summary>
    /// Claims like <see cref="ClaimAsync(int, TimeSpan, CancellationToken)"/>, and hands each partition's claims to
    /// <paramref name="claimed"/> as soon as that partition answered, before the next one is asked: the partitions
    /// answer one after another, and a slow one must not keep the claims of those before it from being held (their
    /// leases renewed) until it answers.
    /// </summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="lease">How long each claim holds.</param>
    /// <param name="claimed">
    /// Called in turn, never concurrently, with the claims of each partition that gave some: the caller holds them from
    /// then on, and ends them itself if the sweep fails later (they are in the returned batch as well). It must not
    /// throw: the sweep would take that for the partition's failure.
    /// <see langword="null"/>: they are only returned, and handed back at once if the sweep fails.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The claimed tasks (of every partition) and the time to the next due task.</returns>
    internal async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, Action<IReadOnlyList<ClaimedEntry>>? claimed, CancellationToken cancellationToken)
    {
        var tasks = new List<ClaimedEntry>();
        var recurring = 0;
        long waiting = 0;
        SweepResult result;
        try
        {
            result = await _router.Sweep.RunAsync(maxCount, async (p, count) =>
            {
                var batch = await _partitions[p].ClaimAsync(count, lease, cancellationToken).ConfigureAwait(false);
                tasks.AddRange(batch.Tasks);
                if (batch.Tasks.Count > 0)
                {
                    claimed?.Invoke(batch.Tasks);
                }

                waiting += batch.Waiting;
                if (batch.RecurringDispatched > 0)
                {
                    // The claim added those schedules' next occurrences: the workers prepare the successors now.
                    recurring += batch.RecurringDispatched;
                    _router.RecurringSweep.Touch(p);
                }

                return new PartitionVisit(batch.Tasks.Count, batch.NextDueIn, batch.NowMilliseconds);
            }).ConfigureAwait(false);
        }
        catch (Exception) when (claimed is null && tasks.Count > 0)
        {
            // Stopped (or failed) mid-sweep: what earlier partitions gave goes back at once rather than waiting for
            // its leases to expire.
            await ReleaseAsync(tasks.ConvertAll(t => t.Claim), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new ClaimBatch(tasks, result.NextDueIn, result.NowMilliseconds, recurring) { Waiting = waiting };
    }

    /// <inheritdoc />
    public async Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var statuses = new ScheduleStatus[items.Count];
        if (items.Count == 1)
        {
            var single = await _router.Touching(_partitions, items[0].TaskId, s => s.ScheduleAsync(items, policy, cancellationToken)).ConfigureAwait(false);
            statuses[0] = single[0];
            return statuses;
        }

        var groups = _router.Group(items.Count, i => items[i].TaskId);
        var calls = new List<(int Partition, List<int> Indexes, Task<ScheduleStatus[]> Call)>();
        for (var p = 0; p < groups.Length; p++)
        {
            if (groups[p] is { } indexes)
            {
                var part = indexes.ConvertAll(i => items[i]);
                calls.Add((p, indexes, _partitions[p].ScheduleAsync(part, policy, cancellationToken)));
            }
        }

        foreach (var (partition, indexes, call) in calls)
        {
            var result = await call.ConfigureAwait(false);
            _router.Touch(partition);
            for (var i = 0; i < indexes.Count; i++)
            {
                statuses[indexes[i]] = result[i];
            }
        }

        return statuses;
    }

    /// <inheritdoc />
    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => _partitions[_router.IndexOf(taskId)].CancelAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => _partitions[_router.IndexOf(taskId)].GetAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) =>
        (await Task.WhenAll(_router.Split(claims, c => c.TaskId).Select(g => _partitions[g.Partition].ExtendLeasesAsync(g.Items, lease, cancellationToken))).ConfigureAwait(false))
            .SelectMany(lost => lost)
            .ToList();

    /// <inheritdoc />
    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) =>
        _router.Touching(_partitions, claim.TaskId, s => s.AckAsync(claim, cancellationToken));

    /// <inheritdoc />
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        _router.Touching(_partitions, claim.TaskId, s => s.RetryAsync(claim, envelope, delay, cancellationToken));

    /// <inheritdoc />
    public async Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) =>
        (await Task.WhenAll(_router.Split(claims, c => c.TaskId).Select(async g =>
        {
            var released = await _partitions[g.Partition].ReleaseAsync(g.Items, cancellationToken).ConfigureAwait(false);
            _router.Touch(g.Partition);
            return released;
        })).ConfigureAwait(false)).Sum();

    /// <inheritdoc />
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        _router.Touching(_partitions, claim.TaskId, s => s.DeadLetterAsync(claim, record, cancellationToken));

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
                        _router.Touch(index);
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
