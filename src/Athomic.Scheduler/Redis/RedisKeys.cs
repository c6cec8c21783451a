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
        WakeChannel = RedisChannel.Literal(tag + ":wake");
        WakeChannelName = tag + ":wake";
    }

    public RedisKey Pending { get; }

    public RedisKey Tasks { get; }

    public RedisKey InFlight { get; }

    public RedisKey Dead { get; }

    public RedisKey DeadIndex { get; }

    public RedisChannel WakeChannel { get; }

    public string WakeChannelName { get; }
}
