using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Recurring schedules on Redis: <c>{prefix}:recurring</c>, <c>:recurring:state</c> and <c>:recurring:due</c>; an
/// occurrence is added to the schedule's pending tasks in the same script, and the claim that dispatches it adds the
/// prepared successor (<c>_chain.lua</c>).
/// </summary>
/// <param name="redis">The schedule's connection and keys, shared with its task and dead-letter stores.</param>
internal sealed class RedisRecurringStore(RedisSchedule redis) : IRecurringStore
{
    private readonly RecurringScripts _scripts = new(redis.Connection, redis.Keys);

    /// <inheritdoc />
    public async Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken)
    {
        var status = await _scripts.UpsertAsync(scheduleId, definition, traceContext).ConfigureAwait(false);
        await redis.ConfirmWritesAsync().ConfigureAwait(false);
        return status;
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var removed = await _scripts.RemoveAsync(scheduleId).ConfigureAwait(false);
        if (removed)
        {
            await redis.ConfirmWritesAsync().ConfigureAwait(false);
        }

        return removed;
    }

    /// <inheritdoc />
    public Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken) => _scripts.DueAsync(maxCount);

    /// <inheritdoc />
    public Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _scripts.AddAsync(request);
    }
}
