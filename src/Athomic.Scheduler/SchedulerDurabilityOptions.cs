namespace Athomic.Scheduler;

/// <summary>
/// The write concern of the Redis store: how many replicas must confirm a task's write before the call that made it
/// returns. With asynchronous replication (Sentinel, managed Redis, a Cluster's replicas) a failover to a replica
/// that is behind drops every write it has not received; a call that waited for <see cref="WaitForReplicas"/>
/// replicas cannot be dropped that way while one of those replicas is promoted.
/// </summary>
/// <remarks>
/// <para>
/// The confirmed writes are those a caller is told about: <c>ScheduleAsync</c>, <c>ScheduleManyAsync</c>,
/// <c>CancelAsync</c>, recurring upserts and removals, and dead-letter requeues. Each sends one Redis <c>WAIT</c>
/// after its script (coalesced single schedules share one <c>WAIT</c>, as they share one script call; a partitioned
/// schedule sends one per partition written). Completions (acks), retries and claims do not wait: a completion
/// lost in a failover runs the task again, which at-least-once delivery allows.
/// </para>
/// <para>
/// When fewer replicas confirm within <see cref="ReplicaTimeout"/>, the call throws
/// <see cref="SchedulerReplicationException"/>. The write was applied on the master and may or may not survive a
/// failover; repeating the call is safe (scheduling the same id again replaces the same task; cancelling again is a
/// no-op).
/// </para>
/// <para>
/// <c>WAIT</c> holds the Redis connection it is sent on until the replicas answer, so everything this process sends
/// on that connection (claims, lease renewals) queues behind it for up to <see cref="ReplicaTimeout"/> when a replica
/// is slow or gone. Hence the timeout must stay well below the lease: at most a third of
/// <c>Worker:LeaseDuration</c>.
/// </para>
/// </remarks>
public sealed class SchedulerDurabilityOptions
{
    /// <summary>
    /// How many replicas must confirm each acknowledged write. Default 0: a call returns once the master applied it
    /// (no <c>WAIT</c> is sent). Only the Redis store supports a value above 0.
    /// </summary>
    public int WaitForReplicas { get; set; }

    /// <summary>
    /// How long a write waits for <see cref="WaitForReplicas"/> replicas before it throws
    /// <see cref="SchedulerReplicationException"/>. Greater than 0 and at most a third of <c>Worker:LeaseDuration</c>.
    /// Default 1 second.
    /// </summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
