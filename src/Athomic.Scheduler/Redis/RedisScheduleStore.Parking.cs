using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Redis;

/// <summary>Flow control's waiting tasks (<c>park.lua</c>, <c>unpark.lua</c>).</summary>
internal sealed partial class RedisScheduleStore
{
    /// <inheritdoc />
    public Task<int> ParkAsync(IReadOnlyList<ParkedTask> tasks, CancellationToken cancellationToken) =>
        tasks.Count == 0 ? Task.FromResult(0) : _scripts.ParkAsync(tasks);

    /// <inheritdoc />
    public Task<UnparkBatch> UnparkAsync(string handler, int maxCount, int perKey, string? afterKey, TimeSpan lease, CancellationToken cancellationToken) =>
        _scripts.UnparkAsync(handler, maxCount, perKey, afterKey, lease, LeaseOwnerName.Current, OwnerBatchesKept);
}
