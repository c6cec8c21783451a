using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Tests.Partitions;

/// <summary>A store that counts claims and forwards everything to another store.</summary>
internal sealed class CountingStore(IScheduleStore inner) : IScheduleStore
{
    private int _claims;

    public int Claims => Volatile.Read(ref _claims);

    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _claims);
        return inner.ClaimAsync(maxCount, lease, cancellationToken);
    }

    public Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken) => inner.ScheduleAsync(items, policy, cancellationToken);

    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => inner.CancelAsync(taskId, cancellationToken);

    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => inner.GetAsync(taskId, cancellationToken);

    public Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) => inner.ExtendLeasesAsync(claims, lease, cancellationToken);

    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) => inner.AckAsync(claim, cancellationToken);

    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) => inner.RetryAsync(claim, envelope, delay, cancellationToken);

    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) => inner.ReleaseAsync(claims, cancellationToken);

    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) => inner.DeadLetterAsync(claim, record, cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) => inner.GetDeadLettersAsync(maxCount, cancellationToken);

    public Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken) => inner.ListDeadLettersAsync(offset, count, cancellationToken);

    public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken) => inner.GetDeadLetterAsync(taskId, cancellationToken);

    public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) => inner.RequeueDeadLetterAsync(taskId, envelope, delay, cancellationToken);

    public Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken) => inner.PurgeDeadLettersAsync(taskIds, cancellationToken);

    public Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken) => inner.SubscribeAsync(onEarlierTask, cancellationToken);
}
