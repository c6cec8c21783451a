namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// Receives claimed tasks on the lease path and gets them executed (the in-process broker by default).
/// </summary>
/// <remarks>
/// The worker's lease path hands over a <see cref="TaskLease"/> (the claim is held, and its lease renewed, from the
/// moment of the claim; the worker claims at most twice <c>Execution:MaxConcurrency</c>): the task stays in the store's in-flight set, leased to this
/// process (the lease is renewed while the process lives), until the broker ends the lease by completing,
/// retrying, releasing or dead-lettering it. A broker must end the lease only once the task is safe without it:
/// executed (the in-process broker) or durably stored elsewhere (a Redis Streams broker). If the process dies first,
/// the lease expires and another worker reclaims the task, so there is no window in which a task can be lost.
/// The Redis Streams broker is not an <see cref="ITaskBroker"/>: it takes due tasks straight from the schedule into its
/// streams, without any lease (<c>UseRedisStreamsBroker()</c> chooses that path when the host is composed). A custom
/// broker that needs starting and stopping registers its own hosted service.
/// </remarks>
public interface ITaskBroker
{
    /// <summary>Accepts a claimed task; may wait (back-pressure) until the broker has room.</summary>
    /// <param name="lease">The claimed task and its lease.</param>
    /// <param name="cancellationToken">Signalled when the worker stops; the worker then releases the lease.</param>
    /// <returns>A task that completes when the broker took the lease.</returns>
    ValueTask DispatchAsync(TaskLease lease, CancellationToken cancellationToken);
}
