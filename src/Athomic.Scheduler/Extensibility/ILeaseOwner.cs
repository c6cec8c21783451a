namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// Ends the leases it handed out, in the store that holds the task: the lease keeper for tasks claimed into the
/// in-flight set, the streams broker for stream entries. <see cref="TaskLease"/> calls exactly one of these once.
/// </summary>
internal interface ILeaseOwner
{
    /// <summary>The task ran: forget it.</summary>
    Task CompleteAsync(TaskLease lease, CancellationToken cancellationToken);

    /// <summary>The task failed: schedule its next attempt after <paramref name="delay"/>.</summary>
    Task RetryAsync(TaskLease lease, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>The task did not run (this process is stopping): hand it back unchanged, due now.</summary>
    Task ReleaseAsync(TaskLease lease, CancellationToken cancellationToken);

    /// <summary>The task will not run again on its own: move it to the dead letters.</summary>
    Task DeadLetterAsync(TaskLease lease, string reason, CancellationToken cancellationToken);

    /// <summary>The claim was lost (another worker holds the task now): stop holding it, without a store call.</summary>
    void Abandon(TaskLease lease);
}
