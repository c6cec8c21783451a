using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Storage;

/// <summary>The operations routed by task id, and the ones fanned out to every partition.</summary>
internal sealed partial class PartitionedScheduleStore
{
    /// <inheritdoc />
    public async Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var statuses = new ScheduleStatus[items.Count];
        if (items.Count == 1)
        {
            var single = await Touching(items[0].TaskId, s => s.ScheduleAsync(items, policy, cancellationToken)).ConfigureAwait(false);
            statuses[0] = single[0];
            return statuses;
        }

        var groups = Group(items.Count, i => items[i].TaskId);
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
            Touch(partition);
            for (var i = 0; i < indexes.Count; i++)
            {
                statuses[indexes[i]] = result[i];
            }
        }

        return statuses;
    }

    /// <inheritdoc />
    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => For(taskId).CancelAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => For(taskId).GetAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) =>
        (await Task.WhenAll(Split(claims, c => c.TaskId).Select(g => _partitions[g.Partition].ExtendLeasesAsync(g.Items, lease, cancellationToken))).ConfigureAwait(false))
            .SelectMany(lost => lost)
            .ToList();

    /// <inheritdoc />
    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) =>
        Touching(claim.TaskId, s => s.AckAsync(claim, cancellationToken));

    /// <inheritdoc />
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        Touching(claim.TaskId, s => s.RetryAsync(claim, envelope, delay, cancellationToken));

    /// <inheritdoc />
    public async Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) =>
        (await Task.WhenAll(Split(claims, c => c.TaskId).Select(async g =>
        {
            var released = await _partitions[g.Partition].ReleaseAsync(g.Items, cancellationToken).ConfigureAwait(false);
            Touch(g.Partition);
            return released;
        })).ConfigureAwait(false)).Sum();

    /// <inheritdoc />
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        Touching(claim.TaskId, s => s.DeadLetterAsync(claim, record, cancellationToken));

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
    public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken) => For(taskId).GetDeadLetterAsync(taskId, cancellationToken);

    /// <inheritdoc />
    public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        Touching(taskId, s => s.RequeueDeadLetterAsync(taskId, envelope, delay, cancellationToken));

    /// <inheritdoc />
    public async Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken)
    {
        var calls = taskIds is null
            ? _partitions.Select(p => p.PurgeDeadLettersAsync(null, cancellationToken))
            : Split(taskIds, id => id).Select(g => _partitions[g.Partition].PurgeDeadLettersAsync(g.Items, cancellationToken));
        return (await Task.WhenAll(calls).ConfigureAwait(false)).Sum();
    }

    private List<int>?[] Group(int count, Func<int, string> idAt)
    {
        var groups = new List<int>?[_partitions.Length];
        for (var i = 0; i < count; i++)
        {
            var p = TaskPartitioner.PartitionOf(idAt(i), _partitions.Length);
            (groups[p] ??= []).Add(i);
        }

        return groups;
    }

    private IEnumerable<(int Partition, List<T> Items)> Split<T>(IReadOnlyCollection<T> items, Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(items);
        var groups = new List<T>?[_partitions.Length];
        foreach (var item in items)
        {
            (groups[TaskPartitioner.PartitionOf(idOf(item), _partitions.Length)] ??= []).Add(item);
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
