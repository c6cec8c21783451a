using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>Recurring schedules on Redis: <c>{prefix}:recurring</c>, <c>:recurring:state</c> and <c>:recurring:due</c>.</summary>
internal sealed partial class RedisScheduleStore : IRecurringStore
{
    private RedisKey[] RecurringKeys => [_keys.Recurring, _keys.RecurringState, _keys.RecurringDue, _keys.Pending, _keys.Tasks, _keys.RecurringNext];

    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.RecurringUpsert, RecurringKeys, [_keys.WakeChannelName, scheduleId, definition, traceContext ?? string.Empty])).ConfigureAwait(false);
        return (RecurringUpsertStatus)(int)result;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(LuaScripts.RecurringRemove, RecurringKeys, [scheduleId])).ConfigureAwait(false);
        return (int)result == 1;
    }

    /// <inheritdoc />
    public async Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.RecurringDue,
            [_keys.Recurring, _keys.RecurringState, _keys.RecurringDue, _keys.RecurringNext, _keys.Pending],
            [maxCount])).ConfigureAwait(false);
        return RecurringDueReply.Read(result);
    }

    /// <inheritdoc />
    public async Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.RecurringAdd,
            RecurringKeys,
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
            ])).ConfigureAwait(false);
        return (RecurringAddStatus)(int)result;
    }
}
