using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Flow;

namespace Athomic.Scheduler.Storage;

/// <summary>Flow control's waiting tasks over the partitions: parking goes to each task's partition, unparking visits them in turn.</summary>
internal sealed partial class PartitionedScheduleStore : IFlowParking
{
    private int _unparkRotation = -1;

    /// <summary>Whether every partition store can hold tasks back for flow control.</summary>
    public bool CanPark => _partitions.All(p => p is IFlowParking);

    /// <inheritdoc />
    public async Task<int> ParkAsync(IReadOnlyList<ParkedTask> tasks, CancellationToken cancellationToken) =>
        (await Task.WhenAll(_router.Split(tasks, t => t.Claim.TaskId).Select(g => Parking(g.Partition).ParkAsync(g.Items, cancellationToken))).ConfigureAwait(false))
            .Sum();

    /// <inheritdoc />
    public async Task<UnparkBatch> UnparkAsync(string handler, int maxCount, int perKey, string? afterKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        var tasks = new List<ClaimedEntry>();
        var lastKey = afterKey;
        long now = 0, waiting = 0;
        var start = (int)((uint)Interlocked.Increment(ref _unparkRotation) % (uint)_partitions.Length);
        for (var k = 0; k < _partitions.Length && tasks.Count < maxCount; k++)
        {
            var batch = await Parking((start + k) % _partitions.Length).UnparkAsync(handler, maxCount - tasks.Count, perKey, afterKey, lease, cancellationToken).ConfigureAwait(false);
            tasks.AddRange(batch.Tasks);
            now = batch.NowMilliseconds;
            waiting += batch.Waiting;
            if (batch.Tasks.Count > 0)
            {
                lastKey = batch.LastKey;
            }
        }

        return new UnparkBatch(tasks, lastKey, now, waiting);
    }

    private IFlowParking Parking(int partition) => (IFlowParking)_partitions[partition];
}
