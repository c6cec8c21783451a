using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The scripts of the task lifecycle on one schedule or partition, one method each: schedule, claim, extend, ack, retry,
/// release, dead letter, cancel, get, and flow control's park and unpark. Each method declares its script's
/// <c>KEYS</c> (made once per partition: a claim or an ack allocates no key array), builds its <c>ARGV</c> and returns
/// what the script's reader (<c>Redis/Replies</c>) makes of the reply; the scripts document both.
/// </summary>
internal sealed class TaskScripts
{
    private static readonly EmbeddedScript Schedule = EmbeddedScript.Load("schedule");
    private static readonly EmbeddedScript Claim = EmbeddedScript.Load("claim");
    private static readonly EmbeddedScript Extend = EmbeddedScript.Load("extend");
    private static readonly EmbeddedScript Ack = EmbeddedScript.Load("ack");
    private static readonly EmbeddedScript Retry = EmbeddedScript.Load("retry");
    private static readonly EmbeddedScript Release = EmbeddedScript.Load("release");
    private static readonly EmbeddedScript DeadLetter = EmbeddedScript.Load("deadletter");
    private static readonly EmbeddedScript Cancel = EmbeddedScript.Load("cancel");
    private static readonly EmbeddedScript Get = EmbeddedScript.Load("get");
    private static readonly EmbeddedScript Park = EmbeddedScript.Load("park");
    private static readonly EmbeddedScript Unpark = EmbeddedScript.Load("unpark");

    private readonly IConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly RedisKey[] _scheduleKeys;
    private readonly RedisKey[] _claimKeys;
    private readonly RedisKey[] _extendKeys;
    private readonly RedisKey[] _ackKeys;
    private readonly RedisKey[] _retryKeys;
    private readonly RedisKey[] _releaseKeys;
    private readonly RedisKey[] _deadLetterKeys;
    private readonly RedisKey[] _cancelKeys;
    private readonly RedisKey[] _getKeys;
    private readonly RedisKey[] _parkKeys;
    private readonly RedisKey[] _unparkKeys;

    /// <summary>Binds the scripts to a partition's keys.</summary>
    public TaskScripts(IConnectionMultiplexer connection, RedisKeys keys)
    {
        _connection = connection;
        _keys = keys;
        _scheduleKeys = [keys.Pending, keys.Tasks, keys.Lease, keys.Queued, keys.Deferred, keys.Reclaims, keys.Parked, keys.ParkedBy, keys.Urgent, keys.Priority];
        _claimKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.RecurringState, keys.RecurringDue, keys.RecurringNext, keys.Reclaims, keys.Lease, keys.Fence, keys.Owner, keys.Parked, keys.Urgent, keys.Priority, keys.Dead, keys.DeadIndex];
        _extendKeys = [keys.InFlight, keys.Lease];
        _ackKeys = [keys.InFlight, keys.Tasks, keys.Reclaims, keys.Lease, keys.Pending, keys.Deferred, keys.Urgent, keys.Priority];
        _retryKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.Reclaims, keys.Lease, keys.Deferred, keys.Urgent, keys.Priority];
        _releaseKeys = [keys.Pending, keys.InFlight, keys.Lease, keys.Urgent, keys.Priority];
        _deadLetterKeys = [keys.InFlight, keys.Tasks, keys.Dead, keys.DeadIndex, keys.Reclaims, keys.Lease, keys.Pending, keys.Deferred, keys.Urgent, keys.Priority];
        _cancelKeys = [keys.Pending, keys.Tasks, keys.Deferred, keys.Reclaims, keys.Parked, keys.ParkedBy, keys.Urgent, keys.Priority];
        _getKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.Queued, keys.Stream];
        _parkKeys = [keys.Pending, keys.InFlight, keys.Lease, keys.Parked, keys.ParkedBy, keys.Deferred];
        _unparkKeys = [keys.Pending, keys.Tasks, keys.InFlight, keys.Lease, keys.Fence, keys.Owner, keys.Parked, keys.ParkedBy];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary>The arguments of a <c>schedule.lua</c> call of <paramref name="count"/> tasks, the tasks still to set.</summary>
    public ScheduleArgs ScheduleArgsFor(int count, ExistingTaskPolicy policy) => new(count, policy, _keys.WakeChannelName);

    /// <summary>
    /// <c>schedule.lua</c>: adds or reschedules the tasks of <paramref name="args"/> and writes their statuses into
    /// <paramref name="statuses"/> from <paramref name="offset"/> on. The call is sent before this returns, so calls
    /// started one after another are pipelined.
    /// </summary>
    public Task<int> ScheduleAsync(ScheduleArgs args, ScheduleStatus[] statuses, int offset) =>
        Schedule.RunAsync(Db, _scheduleKeys, args.Values, (statuses, offset), ScheduleReply.Read);

    /// <summary><c>claim.lua</c>: claims up to <paramref name="maxCount"/> due tasks (and expired leases) for <paramref name="lease"/>.</summary>
    public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, string owner, int ownerBatchesKept, DeadLetterRetention retention) =>
        ClaimAsync(maxCount, lease, owner, ownerBatchesKept, retention, ClaimReply.Read);

    /// <summary><see cref="ClaimAsync(int, TimeSpan, string, int, DeadLetterRetention)"/>'s reply, not yet read (the benchmark times the two apart).</summary>
    public Task<RedisResult> ClaimReplyAsync(int maxCount, TimeSpan lease, string owner, int ownerBatchesKept, DeadLetterRetention retention) =>
        ClaimAsync(maxCount, lease, owner, ownerBatchesKept, retention, static reply => reply);

    /// <summary><c>extend.lua</c>: extends the leases of <paramref name="claims"/>; returns those no longer current.</summary>
    public Task<IReadOnlyList<TaskClaim>> ExtendAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease) =>
        Extend.RunAsync(Db, _extendKeys, ClaimArgs((long)lease.TotalMilliseconds, claims), claims, ExtendReply.Read);

    /// <summary><c>ack.lua</c>: ends <paramref name="claims"/> (the task is done); per claim, in order, whether it was current.</summary>
    public Task<bool[]> AckAsync(IReadOnlyList<TaskClaim> claims) =>
        Ack.RunAsync(Db, _ackKeys, ClaimArgs(_keys.WakeChannelName, claims), AckReply.Read);

    /// <summary><c>retry.lua</c>: ends <paramref name="claim"/> and schedules <paramref name="envelope"/> after <paramref name="delay"/>; false when the claim was not current.</summary>
    public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay) =>
        Retry.RunAsync(Db, _retryKeys, [_keys.WakeChannelName, claim.TaskId, envelope, (long)delay.TotalMilliseconds, claim.Token], Scalar.Ended);

    /// <summary><c>release.lua</c>: gives <paramref name="claims"/> back (due now, no attempt used); returns how many were current.</summary>
    public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims) =>
        Release.RunAsync(Db, _releaseKeys, ClaimArgs(_keys.WakeChannelName, claims), Scalar.SmallCount);

    /// <summary><c>deadletter.lua</c>: ends <paramref name="claim"/> with dead letter <paramref name="record"/>, trimming the dead letters to <paramref name="retention"/>.</summary>
    public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, DeadLetterRetention retention) =>
        DeadLetter.RunAsync(
            Db,
            _deadLetterKeys,
            [claim.TaskId, record, claim.Token, _keys.WakeChannelName, retention.MaxCount, retention.MaxAgeMilliseconds],
            Scalar.Flag);

    /// <summary><c>cancel.lua</c>: removes a pending task (or the version held back behind a running one); false when there was none.</summary>
    public Task<bool> CancelAsync(string taskId) => Cancel.RunAsync(Db, _cancelKeys, [taskId], Scalar.Flag);

    /// <summary><c>get.lua</c>: the stored task, or <see langword="null"/>.</summary>
    public Task<StoredTask?> GetAsync(string taskId) => Get.RunAsync(Db, _getKeys, [taskId], taskId, GetReply.Read);

    /// <summary><c>park.lua</c>: moves claimed tasks that flow control holds back to the waiting tasks; returns how many were current.</summary>
    public Task<int> ParkAsync(IReadOnlyList<ParkedTask> tasks)
    {
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

        return Park.RunAsync(Db, _parkKeys, args, Scalar.SmallCount);
    }

    /// <summary><c>unpark.lua</c>: claims up to <paramref name="maxCount"/> of a handler's waiting tasks, at most <paramref name="perKey"/> per concurrency key, from the key after <paramref name="afterKey"/> on.</summary>
    public Task<UnparkBatch> UnparkAsync(string handler, int maxCount, int perKey, string? afterKey, TimeSpan lease, string owner, int ownerBatchesKept) =>
        Unpark.RunAsync(
            Db,
            _unparkKeys,
            [maxCount, (long)lease.TotalMilliseconds, owner, Math.Max(1, perKey), afterKey ?? string.Empty, handler, ownerBatchesKept],
            afterKey,
            UnparkReply.Read);

    private Task<T> ClaimAsync<T>(int maxCount, TimeSpan lease, string owner, int ownerBatchesKept, DeadLetterRetention retention, Func<RedisResult, T> read) =>
        Claim.RunAsync(
            Db,
            _claimKeys,
            [maxCount, (long)lease.TotalMilliseconds, owner, ownerBatchesKept, retention.MaxCount, retention.MaxAgeMilliseconds],
            read);

    /// <summary>Arguments <c>first, then per claim: task id, token</c>.</summary>
    private static RedisValue[] ClaimArgs(RedisValue first, IReadOnlyCollection<TaskClaim> claims)
    {
        var args = new RedisValue[(claims.Count * 2) + 1];
        args[0] = first;
        var i = 1;
        foreach (var claim in claims)
        {
            args[i++] = claim.TaskId;
            args[i++] = claim.Token;
        }

        return args;
    }
}
