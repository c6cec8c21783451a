using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// Dead letters over partitions: a dead letter lives in the partition of its task id, so reading, requeueing and
/// purging one go straight to it; listings visit every partition and merge them newest first.
/// </summary>
/// <param name="partitions">The partitions' dead-letter stores, in partition order (index = <see cref="TaskPartitioner.PartitionOf"/>).</param>
/// <param name="router">The router the partitioned schedule store of the same partitions uses (a requeue touches its sweeps).</param>
internal sealed class PartitionedDeadLetterStore(IReadOnlyList<IDeadLetterStore> partitions, PartitionRouter router) : IDeadLetterStore
{
    private readonly IDeadLetterStore[] _partitions = PartitionRouter.Checked(partitions, router);

    /// <inheritdoc />
    public async Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) =>
        (await ListDeadLettersAsync(0, maxCount, cancellationToken).ConfigureAwait(false)).Items;

    /// <inheritdoc />
    public async Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken)
    {
        // Each partition's newest offset + count, merged newest first by the record's own FailedAt (ties: id
        // descending, ordinal); the cost grows with offset.
        var pages = await Task.WhenAll(_partitions.Select(p => p.ListDeadLettersAsync(0, offset + count, cancellationToken))).ConfigureAwait(false);
        var items = pages.SelectMany(p => p.Items)
            .OrderByDescending(d => d.FailedAt)
            .ThenByDescending(d => d.TaskId, StringComparer.Ordinal)
            .Skip(offset)
            .Take(count)
            .ToList();
        return new DeadLetterPage(items, pages.Sum(p => p.Total));
    }

    /// <inheritdoc />
    public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken) => _partitions[router.IndexOf(taskId)].GetDeadLetterAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        router.Touching(_partitions, taskId, s => s.RequeueDeadLetterAsync(taskId, envelope, delay, cancellationToken));

    /// <inheritdoc />
    public async Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        var calls = taskIds is null
            ? _partitions.Select(p => p.PurgeDeadLettersAsync(null, cancellationToken))
            : router.Split(taskIds, id => id).Select(g => _partitions[g.Partition].PurgeDeadLettersAsync(g.Items, cancellationToken));
        return (await Task.WhenAll(calls).ConfigureAwait(false)).Sum();
    }
}
