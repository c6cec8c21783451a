using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Tests.Partitions;

/// <summary>A store that counts claims and lease renewals and forwards everything to another store.</summary>
/// <param name="inner">The store forwarded to.</param>
/// <param name="failExtend">Given the renewal's number (from 1), whether it fails as a lost connection would.</param>
/// <param name="stallExtend">Given the renewal's number (from 1), whether its reply never comes (Redis ran it; the answer stalls).</param>
internal sealed class CountingStore(IScheduleStore inner, Func<int, bool>? failExtend = null, Func<int, bool>? stallExtend = null) : IScheduleStore
{
    private readonly TaskCompletionSource<IReadOnlyList<TaskClaim>> _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _extended = new(0);
    private int _claims;
    private int _extends;

    public int Claims => Volatile.Read(ref _claims);

    public int Extends => Volatile.Read(ref _extends);

    /// <summary>Waits (at most <paramref name="timeout"/>) until renewal number <paramref name="count"/> was made.</summary>
    public async Task WhenExtendedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Extends < count && DateTime.UtcNow < deadline && await _extended.WaitAsync(deadline - DateTime.UtcNow))
        {
        }
    }

    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _claims);
        return inner.ClaimAsync(maxCount, lease, cancellationToken);
    }

    public Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken) => inner.ScheduleAsync(items, policy, cancellationToken);

    public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => inner.CancelAsync(taskId, cancellationToken);

    public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => inner.GetAsync(taskId, cancellationToken);

    public Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _extends);
        _extended.Release();
        if (failExtend?.Invoke(n) == true)
        {
            return Task.FromException<IReadOnlyList<TaskClaim>>(new SchedulerUnavailableException("renewal failed", new TimeoutException()));
        }

        var renewed = inner.ExtendLeasesAsync(claims, lease, cancellationToken);
        return stallExtend?.Invoke(n) == true ? _stalled.Task : renewed;
    }

    public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) => inner.AckAsync(claim, cancellationToken);

    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) => inner.RetryAsync(claim, envelope, delay, cancellationToken);

    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) => inner.ReleaseAsync(claims, cancellationToken);

    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) => inner.DeadLetterAsync(claim, record, cancellationToken);

    public Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken) => inner.SubscribeAsync(onEarlierTask, cancellationToken);
}
