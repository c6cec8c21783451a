using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>Flow control's waiting tasks (<c>park.lua</c>, <c>unpark.lua</c>).</summary>
internal sealed partial class RedisScheduleStore
{
    /// <inheritdoc />
    public async Task<int> ParkAsync(IReadOnlyList<ParkedTask> tasks, CancellationToken cancellationToken)
    {
        if (tasks.Count == 0)
        {
            return 0;
        }

        var args = new RedisValue[1 + (tasks.Count * 4)];
        args[0] = string.Empty;
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            args[1 + (i * 4)] = task.Claim.TaskId;
            args[2 + (i * 4)] = task.Claim.Token;
            args[3 + (i * 4)] = RedisKeys.ParkedMember(task.Handler, task.Key, task.DueMilliseconds, task.Claim.TaskId);
            args[4 + (i * 4)] = Math.Max(0, task.DueMilliseconds);
        }

        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Park,
            [_keys.Pending, _keys.InFlight, _keys.Lease, _keys.Parked, _keys.ParkedBy, _keys.Deferred],
            args)).ConfigureAwait(false);
        return (int)result;
    }

    /// <inheritdoc />
    public async Task<UnparkBatch> UnparkAsync(string handler, int maxCount, int perKey, string? afterKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.Unpark,
            [_keys.Pending, _keys.Tasks, _keys.InFlight, _keys.Lease, _keys.Fence, _keys.Owner, _keys.Parked, _keys.ParkedBy],
            [maxCount, (long)lease.TotalMilliseconds, LeaseOwnerName.Current, Math.Max(1, perKey), afterKey ?? string.Empty, handler, OwnerBatchesKept])).ConfigureAwait(false);
        var batch = ClaimReply.Read(result);
        var parts = (RedisResult[])result!;
        var lastKey = batch.Tasks.Count > 0 ? (string?)parts[^1] : afterKey;
        return new UnparkBatch(batch.Tasks, lastKey, batch.NowMilliseconds, batch.Waiting);
    }
}
