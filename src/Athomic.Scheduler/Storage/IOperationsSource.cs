using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// What the operations API (<see cref="ISchedulerOperations"/>) reads and changes in one schedule or one partition of
/// it: the built-in stores implement it beside their store contracts (one call per method, each O(log n + page)).
/// </summary>
internal interface IOperationsSource
{
    /// <summary>
    /// Reads the entries of one state after <see cref="TaskScanRequest.After"/> in the listing's order (pending and in
    /// flight: ascending (time, id); dead letters: descending), looking at no more than
    /// <see cref="TaskScanRequest.Budget"/> entries and returning the ones that pass the filters, at most
    /// <see cref="TaskScanRequest.Limit"/>.
    /// </summary>
    Task<TaskScan> ScanTasksAsync(TaskScanRequest request, CancellationToken cancellationToken);

    /// <summary>Reads one task in whichever state it is (pending, in flight, dead letter), or <see langword="null"/>.</summary>
    Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Makes a pending task due at the store's now.</summary>
    Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Reads up to about <paramref name="count"/> recurring schedules from <paramref name="cursor"/> (<see langword="null"/>: the start).</summary>
    Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, CancellationToken cancellationToken);

    /// <summary>Reads one recurring schedule, or <see langword="null"/>.</summary>
    Task<RecurringRecord?> GetRecurringAsync(string scheduleId, CancellationToken cancellationToken);

    /// <summary>
    /// Counts the due tasks that wait for flow control (their handler paused or at its limit), per handler in
    /// <paramref name="handlers"/>' order; a store that never holds tasks back counts none.
    /// </summary>
    Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers, CancellationToken cancellationToken);
}
