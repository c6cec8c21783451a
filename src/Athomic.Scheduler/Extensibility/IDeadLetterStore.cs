using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// The dead letters of a schedule: tasks whose claim <see cref="IScheduleStore.DeadLetterAsync"/> ended for good,
/// each with a record of why, newest first. They can be read, requeued under their id, or deleted. Every operation
/// is atomic. Implementations: the Redis store and the in-memory store (for tests).
/// </summary>
/// <remarks>
/// A task dead-lettered again while it has a dead letter keeps both: each is listed and counted, and the calls by id
/// act on its newest (a purge by id on every one).
/// </remarks>
public interface IDeadLetterStore
{
    /// <summary>Lists the newest dead letters.</summary>
    /// <param name="maxCount">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letters, newest first.</returns>
    Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>Reads one page of dead letters, newest first.</summary>
    /// <param name="offset">How many of the newest to skip.</param>
    /// <param name="count">How many at most.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the total number of dead letters.</returns>
    Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken);

    /// <summary>Reads the newest dead letter of a task.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The dead letter, or <see langword="null"/>.</returns>
    Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically removes a task's newest dead letter and schedules <paramref name="envelope"/> under its id after
    /// <paramref name="delay"/>; refused while another task with the same id is stored.
    /// </summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="envelope">The envelope to schedule (the caller resets the attempt).</param>
    /// <param name="delay">The delay from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened.</returns>
    Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Deletes dead letters for good.</summary>
    /// <param name="taskIds">The task ids (each with every dead letter it has), or <see langword="null"/> for every dead letter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number deleted.</returns>
    Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken);
}
