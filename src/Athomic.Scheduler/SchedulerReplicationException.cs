namespace Athomic.Scheduler;

/// <summary>
/// Thrown when a write was applied on the Redis master but fewer replicas than
/// <see cref="SchedulerDurabilityOptions.WaitForReplicas"/> confirmed it within
/// <see cref="SchedulerDurabilityOptions.ReplicaTimeout"/>. The write may or may not survive a failover. Repeating
/// the call is safe: scheduling the same id again replaces the same task, and cancelling again is a no-op.
/// </summary>
public sealed class SchedulerReplicationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requiredReplicas">How many replicas had to confirm.</param>
    /// <param name="confirmedReplicas">How many did.</param>
    /// <param name="timeout">How long the write waited.</param>
    public SchedulerReplicationException(int requiredReplicas, int confirmedReplicas, TimeSpan timeout)
        : base($"The write was applied on the Redis master but only {confirmedReplicas} of {requiredReplicas} replicas confirmed it within {timeout.TotalMilliseconds:0} ms (Athomic:Scheduler:Durability). It may be lost if the master fails now; repeating the call is safe (scheduling the same id again is idempotent).")
    {
        RequiredReplicas = requiredReplicas;
        ConfirmedReplicas = confirmedReplicas;
    }

    /// <summary>How many replicas had to confirm the write.</summary>
    public int RequiredReplicas { get; }

    /// <summary>How many replicas confirmed it in time.</summary>
    public int ConfirmedReplicas { get; }
}
