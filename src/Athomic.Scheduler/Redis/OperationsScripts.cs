using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The operators' scripts of one schedule or partition, one method each: statistics, task scans and details, run now,
/// recurring scans and the counts of waiting tasks (see <see cref="TaskScripts"/>).
/// </summary>
internal sealed class OperationsScripts
{
    private static readonly EmbeddedScript Stats = EmbeddedScript.Load("stats");
    private static readonly EmbeddedScript Tasks = EmbeddedScript.Load("ops_tasks");
    private static readonly EmbeddedScript Task = EmbeddedScript.Load("ops_task");
    private static readonly EmbeddedScript RunNow = EmbeddedScript.Load("ops_run_now");
    private static readonly EmbeddedScript Recurring = EmbeddedScript.Load("ops_recurring");
    private static readonly EmbeddedScript Waiting = EmbeddedScript.Load("ops_waiting");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _statsKeys;
    private readonly RedisKey[] _pendingScanKeys;
    private readonly RedisKey[] _inFlightScanKeys;
    private readonly RedisKey[] _deadScanKeys;
    private readonly RedisKey[] _taskKeys;
    private readonly RedisKey[] _runNowKeys;
    private readonly RedisKey[] _recurringKeys;
    private readonly RedisKey[] _waitingKeys;

    /// <summary>Binds the scripts to a partition's keys.</summary>
    public OperationsScripts(IConnectionMultiplexer connection, RedisKeys keys)
    {
        _connection = connection;
        _keys = keys;
        _statsKeys = [keys.Pending, keys.InFlight, keys.Queued, keys.DeadIndex, keys.Recurring];
        _pendingScanKeys = [keys.Pending, keys.Tasks, keys.Owner, keys.Lease];
        _inFlightScanKeys = [keys.InFlight, keys.Tasks, keys.Owner, keys.Lease];
        _deadScanKeys = [keys.DeadIndex, keys.Dead, keys.Owner, keys.Lease];
        _taskKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.Owner, keys.Dead, keys.DeadIndex, keys.Queued, keys.Stream, keys.Lease];
        _runNowKeys = [keys.Pending, keys.InFlight, keys.Queued];
        _recurringKeys = [keys.Recurring, keys.RecurringState, keys.Pending];
        _waitingKeys = [keys.Parked];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary><c>stats.lua</c>: the partition's counts.</summary>
    public Task<PartitionStatistics> StatisticsAsync(int partition) => Stats.RunAsync(Db, _statsKeys, [], partition, StatsReply.Read);

    /// <summary><c>ops_tasks.lua</c>: one page of the tasks in a state, from a position on, filtered by handler and id prefix.</summary>
    public Task<TaskScan> ScanTasksAsync(TaskScanRequest request)
    {
        var dead = request.State == ScheduledTaskState.DeadLetter;
        var keys = request.State switch
        {
            ScheduledTaskState.Pending => _pendingScanKeys,
            ScheduledTaskState.InFlight => _inFlightScanKeys,
            _ => _deadScanKeys,
        };
        return Tasks.RunAsync(
            Db,
            keys,
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
            ],
            request.State,
            OpsTasksReply.Read);
    }

    /// <summary><c>ops_task.lua</c>: a task in any state (the dead letter of its id included), or <see langword="null"/>.</summary>
    public Task<TaskRecord?> GetTaskAsync(string taskId) => Task.RunAsync(Db, _taskKeys, [taskId, RedisKeys.StreamGroup], taskId, OpsTaskReply.Read);

    /// <summary><c>ops_run_now.lua</c>: makes a pending task due now.</summary>
    public Task<RunNowStatus> RunNowAsync(string taskId) => RunNow.RunAsync(Db, _runNowKeys, [taskId, _keys.WakeChannelName], Scalar.Status<RunNowStatus>);

    /// <summary><c>ops_recurring.lua</c>: one page of the recurring schedules from <paramref name="cursor"/> on, or the one schedule <paramref name="scheduleId"/>.</summary>
    public Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, string? scheduleId = null) =>
        Recurring.RunAsync(Db, _recurringKeys, [cursor ?? "0", count, scheduleId ?? string.Empty], OpsRecurringReply.Read);

    /// <summary><c>ops_waiting.lua</c>: per handler, in order, how many of its tasks wait for flow control.</summary>
    public Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers) =>
        Waiting.RunAsync(Db, _waitingKeys, [.. handlers.Select(h => (RedisValue)h)], handlers.Count, Lists.Counts);
}
