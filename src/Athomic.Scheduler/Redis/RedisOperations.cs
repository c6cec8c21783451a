using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The operations API's reads and actions on one Redis schedule or partition: one script call each
/// (<c>ops_tasks.lua</c>, <c>ops_task.lua</c>, <c>ops_run_now.lua</c>, <c>ops_recurring.lua</c>, <c>ops_waiting.lua</c>),
/// O(log n + page).
/// </summary>
internal sealed class RedisOperations(RedisSchedule redis) : IOperationsSource
{
    private readonly OperationsScripts _scripts = new(redis.Connection, redis.Keys);

    /// <inheritdoc />
    public Task<TaskScan> ScanTasksAsync(TaskScanRequest request, CancellationToken cancellationToken) => _scripts.ScanTasksAsync(request);

    /// <inheritdoc />
    public Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken) => _scripts.GetTaskAsync(taskId);

    /// <inheritdoc />
    public Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken) => _scripts.RunNowAsync(taskId);

    /// <inheritdoc />
    public Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, CancellationToken cancellationToken) =>
        _scripts.ScanRecurringAsync(cursor, count);

    /// <inheritdoc />
    public async Task<RecurringRecord?> GetRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var scan = await _scripts.ScanRecurringAsync("0", 1, scheduleId).ConfigureAwait(false);
        return scan.Items.Count > 0 ? scan.Items[0] : null;
    }

    /// <inheritdoc />
    public Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers, CancellationToken cancellationToken) =>
        handlers.Count == 0 ? Task.FromResult<long[]>([]) : _scripts.CountWaitingAsync(handlers);
}
