using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Recurring schedules on Redis: <c>{prefix}:recurring</c>, <c>:recurring:state</c> and <c>:recurring:due</c>; an
/// occurrence is added to the schedule's pending tasks in the same script, and the claim that dispatches it adds the
/// prepared successor (<c>_chain.lua</c>).
/// </summary>
/// <param name="redis">The schedule's connection and keys, shared with its task and dead-letter stores.</param>
internal sealed class RedisRecurringStore(RedisSchedule redis) : IRecurringStore
{
    private RedisKey[] RecurringKeys => [redis.Keys.Recurring, redis.Keys.RecurringState, redis.Keys.RecurringDue, redis.Keys.Pending, redis.Keys.Tasks, redis.Keys.RecurringNext];

    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.RecurringUpsert, RecurringKeys, [redis.Keys.WakeChannelName, scheduleId, definition, traceContext ?? string.Empty])).ConfigureAwait(false);
        await redis.ConfirmWritesAsync().ConfigureAwait(false);
        return (RecurringUpsertStatus)(int)result;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var result = await Call(redis.Db.ScriptEvaluateAsync(LuaScripts.RecurringRemove, RecurringKeys, [scheduleId])).ConfigureAwait(false);
        var removed = (int)result == 1;
        if (removed)
        {
            await redis.ConfirmWritesAsync().ConfigureAwait(false);
        }

        return removed;
    }

    /// <inheritdoc />
    public async Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
    {
        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.RecurringDue,
            [redis.Keys.Recurring, redis.Keys.RecurringState, redis.Keys.RecurringDue, redis.Keys.RecurringNext, redis.Keys.Pending],
            [maxCount])).ConfigureAwait(false);
        return RecurringDueReply.Read(result);
    }

    /// <inheritdoc />
    public async Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var result = await Call(redis.Db.ScriptEvaluateAsync(
            LuaScripts.RecurringAdd,
            RecurringKeys,
            [
                redis.Keys.WakeChannelName,
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
