using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>
/// An <see cref="IScheduleStore"/> that forwards every call to a real store; a test overrides the calls it injects a
/// fault into (an error, a delay) or observes. Redis itself is never mocked: the store below is the real one.
/// </summary>
/// <param name="inner">The store forwarded to.</param>
internal class ForwardingStore(IScheduleStore inner) : IScheduleStore
{
    protected IScheduleStore Inner { get; } = inner;

    public virtual Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken) =>
        Inner.ScheduleAsync(items, policy, cancellationToken);

    public virtual Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => Inner.CancelAsync(taskId, cancellationToken);

    public virtual Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => Inner.GetAsync(taskId, cancellationToken);

    public virtual Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken) =>
        Inner.ClaimAsync(maxCount, lease, cancellationToken);

    public virtual Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) =>
        Inner.ExtendLeasesAsync(claims, lease, cancellationToken);

    public virtual Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken) => Inner.AckAsync(claim, cancellationToken);

    public virtual Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
        Inner.RetryAsync(claim, envelope, delay, cancellationToken);

    public virtual Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) => Inner.ReleaseAsync(claims, cancellationToken);

    public virtual Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
        Inner.DeadLetterAsync(claim, record, cancellationToken);

    public virtual Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken) => Inner.SubscribeAsync(onEarlierTask, cancellationToken);
}
