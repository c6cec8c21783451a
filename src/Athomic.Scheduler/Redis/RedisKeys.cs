using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>The Redis keys of one schedule; all share the hash tag <c>{prefix}</c>, so every script runs on one slot.</summary>
internal sealed class RedisKeys
{
    public RedisKeys(string prefix)
    {
        var tag = "{" + prefix + "}";
        Pending = tag + ":pending";
        Tasks = tag + ":tasks";
        InFlight = tag + ":inflight";
        Dead = tag + ":dead";
        DeadIndex = tag + ":dead:index";
        Stream = tag + ":stream";
        Queued = tag + ":queued";
        WakeChannel = RedisChannel.Literal(tag + ":wake");
        WakeChannelName = tag + ":wake";
    }

    public RedisKey Pending { get; }

    public RedisKey Tasks { get; }

    public RedisKey InFlight { get; }

    public RedisKey Dead { get; }

    public RedisKey DeadIndex { get; }

    /// <summary>The streams broker's stream: one entry per due task, <c>t</c> task id, <c>e</c> envelope, <c>d</c> due time.</summary>
    public RedisKey Stream { get; }

    /// <summary>Hash: task id → id of its current stream entry (so a queued task can be read and ended exactly).</summary>
    public RedisKey Queued { get; }

    public RedisChannel WakeChannel { get; }

    public string WakeChannelName { get; }
}
