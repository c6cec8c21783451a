using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>The recurring schedules' scripts of one schedule or partition, one method each: upsert, remove, due, add (see <see cref="TaskScripts"/>).</summary>
internal sealed class RecurringScripts
{
    private static readonly EmbeddedScript Upsert = EmbeddedScript.Load("recurring_upsert");
    private static readonly EmbeddedScript Remove = EmbeddedScript.Load("recurring_remove");
    private static readonly EmbeddedScript Due = EmbeddedScript.Load("recurring_due");
    private static readonly EmbeddedScript Add = EmbeddedScript.Load("recurring_add");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _recurringKeys;
    private readonly RedisKey[] _dueKeys;

    /// <summary>Binds the scripts to a partition's keys.</summary>
    public RecurringScripts(IConnectionMultiplexer connection, RedisKeys keys)
    {
        _connection = connection;
        _keys = keys;
        _recurringKeys = [keys.Recurring, keys.RecurringState, keys.RecurringDue, keys.Pending, keys.Tasks, keys.RecurringNext];
        _dueKeys = [keys.Recurring, keys.RecurringState, keys.RecurringDue, keys.RecurringNext, keys.Pending];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary><c>recurring_upsert.lua</c>: adds or updates a recurring schedule's definition.</summary>
    public Task<RecurringUpsertStatus> UpsertAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext) =>
        Upsert.RunAsync(Db, _recurringKeys, [_keys.WakeChannelName, scheduleId, definition, traceContext ?? string.Empty], Scalar.Status<RecurringUpsertStatus>);

    /// <summary><c>recurring_remove.lua</c>: removes a recurring schedule and its pending occurrence; false when there was none.</summary>
    public Task<bool> RemoveAsync(string scheduleId) => Remove.RunAsync(Db, _recurringKeys, [scheduleId], Scalar.Flag);

    /// <summary><c>recurring_due.lua</c>: up to <paramref name="maxCount"/> schedules whose next occurrence must be added now.</summary>
    public Task<RecurringDueBatch> DueAsync(int maxCount) => Due.RunAsync(Db, _dueKeys, [maxCount], RecurringDueReply.Read);

    /// <summary><c>recurring_add.lua</c>: adds an occurrence of a schedule (and prepares its successor), unless the schedule changed meanwhile.</summary>
    public Task<RecurringAddStatus> AddAsync(RecurringAddRequest request) =>
        Add.RunAsync(
            Db,
            _recurringKeys,
            [
                _keys.WakeChannelName,
                request.ScheduleId,
                request.Revision,
                request.OccurrenceMilliseconds is { } t ? t : RedisValue.EmptyString,
                request.TaskId,
                request.Envelope,
                request.SuccessorMilliseconds is { } s ? s : RedisValue.EmptyString,
                request.SuccessorEnvelope,
                (long)(request.DeferFor ?? request.MisfireThreshold).TotalMilliseconds,
                request.DeferFor is not null ? 2 : request.SuccessorOnly ? 1 : 0,
            ],
            Scalar.Status<RecurringAddStatus>);
}
