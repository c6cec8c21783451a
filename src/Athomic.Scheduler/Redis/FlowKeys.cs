using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The Redis keys of flow control for one schedule (all partitions): they share the hash tag <c>{prefix#flow}</c>, so
/// each flow script runs on one slot, apart from the partitions' slots (no partition prefix is <c>prefix#flow</c>,
/// partition prefixes end in digits). Limits hold across partitions because every partition's workers take their
/// slots and rate tokens here.
/// </summary>
internal sealed class FlowKeys
{
    public FlowKeys(string keyPrefix)
    {
        Tag = "{" + keyPrefix + "#flow}";
        Paused = Tag + ":paused";
        Limits = Tag + ":limits";
        ChannelName = Tag + ":free";
        Channel = RedisChannel.Literal(ChannelName);
    }

    /// <summary>The hash tag, <c>{prefix#flow}</c>.</summary>
    public string Tag { get; }

    /// <summary>Set: the names of the paused handlers (a name no host knows yet may be paused).</summary>
    public RedisKey Paused { get; }

    /// <summary>Hash: handler name → its declared flow spec (<see cref="Flow.FlowSpecText"/>), written by each worker at start.</summary>
    public RedisKey Limits { get; }

    /// <summary>Channel: a handler name, published when one of its slots frees, it is resumed or paused.</summary>
    public RedisChannel Channel { get; }

    /// <summary>The name of <see cref="Channel"/>.</summary>
    public string ChannelName { get; }

    /// <summary>Sorted set: the handler's taken slots, member <c>partition|task id|token</c> scored by the slot's lease deadline (ms).</summary>
    public RedisKey Slots(string handler) => Tag + ":slots:" + handler;

    /// <summary>Sorted set: the slots taken for one concurrency key of the handler, as <see cref="Slots"/>.</summary>
    public RedisKey KeySlots(string handler, string key) => Tag + ":kslots:" + handler + ":" + key;

    /// <summary>Sorted set: the handler's recent starts (unique members), scored by start time (ms): the rate limit's sliding window.</summary>
    public RedisKey Rate(string handler) => Tag + ":rate:" + handler;
}
