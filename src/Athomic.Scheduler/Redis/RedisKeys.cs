using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The Redis keys of one schedule (or one partition of it); all share the hash tag <c>{prefix}</c>, so every script
/// runs on one slot. A partition's prefix is <see cref="Storage.TaskPartitioner.PartitionPrefix"/>
/// (<c>KeyPrefix</c>, then <c>KeyPrefix#1</c>, <c>KeyPrefix#2</c>, …); as no prefix contains <c>}</c> and no key
/// prefix contains <c>#</c>, the keys of two different (prefix, partition) pairs never meet.
/// </summary>
internal sealed class RedisKeys
{
    /// <summary>The consumer group of the streams broker on every partition's stream.</summary>
    public const string StreamGroup = "athomic";

    private readonly string _tag;

    public RedisKeys(string prefix)
    {
        var tag = "{" + prefix + "}";
        _tag = tag;
        Pending = tag + ":pending";
        Tasks = tag + ":tasks";
        InFlight = tag + ":inflight";
        Reclaims = tag + ":reclaims";
        Lease = tag + ":lease";
        Fence = tag + ":fence";
        Owner = tag + ":owner";
        Deferred = tag + ":deferred";
        Parked = tag + ":parked";
        ParkedBy = tag + ":parked:by";
        Urgent = tag + ":urgent";
        Priority = tag + ":priority";
        Dead = tag + ":dead";
        DeadIndex = tag + ":dead:index";
        Stream = tag + ":stream";
        Queued = tag + ":queued";
        Recurring = tag + ":recurring";
        RecurringState = tag + ":recurring:state";
        RecurringDue = tag + ":recurring:due";
        RecurringNext = tag + ":recurring:next";
        WakeChannel = RedisChannel.Literal(tag + ":wake");
        WakeChannelName = tag + ":wake";
    }

    public RedisKey Pending { get; }

    public RedisKey Tasks { get; }

    public RedisKey InFlight { get; }

    /// <summary>Hash: task id → how many of its leases expired since a handler last finished it (ack, retry, dead letter).</summary>
    public RedisKey Reclaims { get; }

    /// <summary>Hash: in-flight task id → fencing token of its current claim (every end of a claim must present it).</summary>
    public RedisKey Lease { get; }

    /// <summary>
    /// Sorted set: one member <c>'{first token} {count} {owner}'</c> per claim batch, scored by its first fencing token:
    /// which process took a token (for operators), the latest batches only (see claim.lua).
    /// </summary>
    public RedisKey Owner { get; }

    /// <summary>String: the counter that fencing tokens are taken from.</summary>
    public RedisKey Fence { get; }

    /// <summary>Hash: claimed task id → <c>'&lt;due ms&gt;\n&lt;envelope&gt;'</c>, the version scheduled while it ran (pending once the run ends).</summary>
    public RedisKey Deferred { get; }

    /// <summary>
    /// Sorted set (all scores 0, ordered by member): the due tasks that flow control holds back (over a limit, or their
    /// handler paused), one member <c>handler \0 key \0 due (15 digits) \0 task id</c> each, so a handler's waiting tasks
    /// are one lexicographic range, grouped by key and in due order. Such a task stays in <see cref="Pending"/>, scored
    /// <see cref="ParkedScoreOffset"/> + its due time, so no claim meets it and cancel, reschedule and listings see it.
    /// </summary>
    public RedisKey Parked { get; }

    /// <summary>Sorted set: the pending tasks with a priority above 0 → their due time, an index the claims take first (see _take_due.lua).</summary>
    public RedisKey Urgent { get; }

    /// <summary>Hash: task id → its priority (above 0), from when it is scheduled until it is gone.</summary>
    public RedisKey Priority { get; }

    /// <summary>Hash: parked task id → its member in <see cref="Parked"/>, after a <c>!</c> when it counts as claimed (a version is held back behind it, see park.lua).</summary>
    public RedisKey ParkedBy { get; }

    /// <summary>Added to a parked task's due time for its score in <see cref="Pending"/> (2^50 ms, beyond any due time).</summary>
    public const long ParkedScoreOffset = Replies.ParkedScore.Offset;

    /// <summary>The due time of a pending score: a waiting task's score less <see cref="ParkedScoreOffset"/>.</summary>
    public static long DueOf(long score) => Replies.ParkedScore.DueOf(score);

    /// <summary>The member of a waiting task in <see cref="Parked"/>.</summary>
    public static string ParkedMember(string handler, string key, long dueMilliseconds, string taskId) =>
        string.Concat(handler, "\0", key, "\0", Math.Max(0, dueMilliseconds).ToString("D15", System.Globalization.CultureInfo.InvariantCulture), "\0", taskId);

    public RedisKey Dead { get; }

    public RedisKey DeadIndex { get; }

    /// <summary>The streams broker's stream: one entry per due task, <c>t</c> task id, <c>e</c> envelope, <c>d</c> due time.</summary>
    public RedisKey Stream { get; }

    /// <summary>Hash: task id → id of its current stream entry (so a queued task can be read and ended exactly).</summary>
    public RedisKey Queued { get; }

    /// <summary>
    /// String: the running process that holds consumer name <paramref name="consumer"/> of the streams broker, with a
    /// time to live of the visibility timeout, renewed while it runs (see <c>stream_name.lua</c>).
    /// </summary>
    public RedisKey ConsumerName(string consumer) => _tag + ":consumer:" + consumer;

    /// <summary>Hash: recurring schedule id → definition.</summary>
    public RedisKey Recurring { get; }

    /// <summary>Hash: per recurring schedule, its revision, watermark and pending occurrence (see recurring_upsert.lua).</summary>
    public RedisKey RecurringState { get; }

    /// <summary>Sorted set: recurring schedule id → when its next occurrence must be added.</summary>
    public RedisKey RecurringDue { get; }

    /// <summary>Hash: pending occurrence task id → its prepared successor, added when the occurrence is dispatched.</summary>
    public RedisKey RecurringNext { get; }

    public RedisChannel WakeChannel { get; }

    public string WakeChannelName { get; }
}
