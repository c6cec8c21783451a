using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The operations API's reads and actions on one Redis schedule or partition: one script call each
/// (<c>ops_tasks.lua</c>, <c>ops_task.lua</c>, <c>ops_run_now.lua</c>, <c>ops_recurring.lua</c>, <c>ops_waiting.lua</c>),
/// O(log n + page).
/// </summary>
internal sealed class RedisOperations(RedisSchedule redis) : IOperationsSource
{
    private readonly RedisKeys _keys = redis.Keys;

    /// <inheritdoc />
    public async Task<TaskScan> ScanTasksAsync(TaskScanRequest request, CancellationToken cancellationToken)
    {
        var dead = request.State == ScheduledTaskState.DeadLetter;
        RedisKey set = request.State switch
        {
            ScheduledTaskState.Pending => _keys.Pending,
            ScheduledTaskState.InFlight => _keys.InFlight,
            _ => _keys.DeadIndex,
        };
        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsTasks,
            [set, dead ? _keys.Dead : _keys.Tasks, _keys.Owner, _keys.Lease],
            [
                dead ? 1 : 0,
                request.After is null ? 0 : 1,
                request.After?.Score ?? 0,
                request.After?.Id ?? string.Empty,
                request.Limit,
                request.Budget,
                request.Handler ?? string.Empty,
                request.IdPrefix ?? string.Empty,
                dead ? 1 : 0,
                request.State == ScheduledTaskState.InFlight ? 1 : 0,
            ])).ConfigureAwait(false);
        return OpsTasksReply.Read(result, request.State);
    }

    /// <inheritdoc />
    public async Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken)
    {
        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsTask,
            [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Owner, _keys.Dead, _keys.DeadIndex, _keys.Queued, _keys.Stream, _keys.Lease],
            [taskId, RedisKeys.StreamGroup])).ConfigureAwait(false);
        return OpsTaskReply.Read(result, taskId);
    }

    /// <inheritdoc />
    public async Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken) =>
        (RunNowStatus)(int)await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsRunNow,
            [_keys.Pending, _keys.InFlight, _keys.Queued],
            [taskId, _keys.WakeChannelName])).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, CancellationToken cancellationToken) =>
        OpsRecurringReply.Read(await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsRecurring,
            [_keys.Recurring, _keys.RecurringState, _keys.Pending],
            [cursor ?? "0", count, string.Empty])).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<RecurringRecord?> GetRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var scan = OpsRecurringReply.Read(await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsRecurring,
            [_keys.Recurring, _keys.RecurringState, _keys.Pending],
            ["0", 1, scheduleId])).ConfigureAwait(false));
        return scan.Items.Count > 0 ? scan.Items[0] : null;
    }

    /// <inheritdoc />
    public async Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers, CancellationToken cancellationToken)
    {
        if (handlers.Count == 0)
        {
            return [];
        }

        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.OpsWaiting,
            [_keys.Parked],
            [.. handlers.Select(h => (RedisValue)h)])).ConfigureAwait(false);
        return (long[])result!;
    }
}
