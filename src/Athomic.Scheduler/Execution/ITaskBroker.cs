namespace Athomic.Scheduler.Execution;

/// <summary>
/// Receives due tasks from <see cref="Hosting.SchedulerWorkerService"/> and gets them executed.
/// </summary>
/// <remarks>
/// The worker hands over a <see cref="TaskLease"/>: the task stays in the store's in-flight set, leased to this
/// process (the lease is renewed while the process lives), until the broker ends the lease by completing,
/// retrying, releasing or dead-lettering it. A broker must end the lease only once the task is safe without it:
/// executed (the in-process broker) or durably stored elsewhere (a Redis Streams broker). If the process dies first,
/// the lease expires and another worker reclaims the task, so there is no window in which a task can be lost.
/// A broker whose queue lives next to the schedule implements <see cref="ISchedulePromotingBroker"/> instead, and
/// receives due tasks straight from the schedule without any lease (the Redis Streams broker).
/// </remarks>
public interface ITaskBroker
{
    /// <summary>Accepts a claimed task; may wait (back-pressure) until the broker has room.</summary>
    /// <param name="lease">The claimed task and its lease.</param>
    /// <param name="cancellationToken">Signalled when the worker stops; the worker then releases the lease.</param>
    /// <returns>A task that completes when the broker took the lease.</returns>
    ValueTask DispatchAsync(TaskLease lease, CancellationToken cancellationToken);
}
