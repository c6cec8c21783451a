using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>The streams broker's state for one partition: its queue, its reader connection, its read loop and its reclaim sweep.</summary>
internal sealed class StreamPartition(RedisStreamQueue queue)
{
    private long _nextReclaim;

    public RedisStreamQueue Queue { get; } = queue;

    public int Index => Queue.Partition;

    /// <summary>The connection of this partition's reads, and whether the broker opened it (and so closes it).</summary>
    public (IConnectionMultiplexer Connection, bool Owned) Reader { get; set; }

    public Task ReadLoop { get; set; } = Task.CompletedTask;

    /// <summary>Where the next <c>XAUTOCLAIM</c> of this partition's stream continues.</summary>
    public RedisValue ReclaimCursor { get; set; } = "0-0";

    /// <summary>When (<see cref="TimeProvider.GetTimestamp"/>) the next reclaim sweep is due.</summary>
    public long NextReclaim
    {
        get => Interlocked.Read(ref _nextReclaim);
        set => Interlocked.Exchange(ref _nextReclaim, value);
    }

    /// <summary>When (<see cref="TimeProvider.GetTimestamp"/>) gone consumers are next looked for.</summary>
    public long NextCleanup { get; set; }
}
