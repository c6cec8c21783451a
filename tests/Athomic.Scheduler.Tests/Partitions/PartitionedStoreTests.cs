using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Partitions;

public sealed class PartitionedStoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Routing_is_fnv1a_of_the_utf8_id_and_fixed_forever()
    {
        // FNV-1a 32-bit reference values: changing these moves stored tasks to other partitions.
        Assert.Equal(0x811C9DC5u, TaskPartitioner.Hash(""));
        Assert.Equal(0xE40C292Cu, TaskPartitioner.Hash("a"));
        Assert.Equal(0xBF9CF968u, TaskPartitioner.Hash("foobar"));
        Assert.Equal(0, TaskPartitioner.PartitionOf("anything", 1));
        Assert.Equal((int)(0xBF9CF968u % 7), TaskPartitioner.PartitionOf("foobar", 7));
        Assert.Equal("p", TaskPartitioner.PartitionPrefix("p", 0));
        Assert.Equal("p#3", TaskPartitioner.PartitionPrefix("p", 3));
        Assert.Equal("a:1", TaskPartitioner.PartitionPrefix("a:1", 0)); // not partition 1 of "a"
        Assert.Throws<ArgumentException>(() => TaskPartitioner.PartitionPrefix("a#b", 0));
    }

    [Fact]
    public void Ids_spread_evenly_over_partitions()
    {
        var counts = new int[3];
        for (var i = 0; i < 30_000; i++)
        {
            counts[TaskPartitioner.PartitionOf("task-" + i, 3)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
    }

    [Fact]
    public async Task Claims_rotate_the_starting_partition()
    {
        var parts = Parts(3);
        var store = new PartitionedScheduleStore(parts, new PartitionRouter(parts.Length, _time));
        var items = Enumerable.Range(0, 300).Select(i => new StoreItem("t" + i, new byte[] { 1 }, 0, true)).ToList();
        await store.ScheduleAsync(items, ExistingTaskPolicy.Reschedule, default);

        var firsts = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var batch = await store.ClaimAsync(5, Lease, default);
            Assert.Equal(5, batch.Tasks.Count);
            Assert.Equal(TimeSpan.Zero, batch.NextDueIn);
            firsts.Add(TaskPartitioner.PartitionOf(batch.Tasks[0].TaskId, 3));
        }

        Assert.Equal(3, firsts.Distinct().Count());
    }

    [Fact]
    public async Task An_idle_partition_is_not_asked_again_until_its_next_due_time_or_a_wake_up()
    {
        var parts = Parts(3);
        var store = new PartitionedScheduleStore(parts, new PartitionRouter(parts.Length, _time));
        var woken = 0;
        await using var subscription = await store.SubscribeAsync(() => Interlocked.Increment(ref woken), default);

        Assert.Null((await store.ClaimAsync(10, Lease, default)).NextDueIn);
        Assert.All(parts, p => Assert.Equal(1, p.Claims));
        await store.ClaimAsync(10, Lease, default);
        _time.Advance(TimeSpan.FromSeconds(5));
        await store.ClaimAsync(10, Lease, default);
        Assert.All(parts, p => Assert.Equal(1, p.Claims));

        // A task scheduled through another store instance (another process) wakes only its partition.
        var other = new PartitionedScheduleStore(parts, new PartitionRouter(parts.Length, _time));
        await other.ScheduleAsync([new StoreItem("x", new byte[] { 1 }, 0, true)], ExistingTaskPolicy.Reschedule, default);
        var target = TaskPartitioner.PartitionOf("x", 3);
        Assert.Equal(1, woken);
        var batch = await store.ClaimAsync(10, Lease, default);
        Assert.Equal("x", Assert.Single(batch.Tasks).TaskId);
        Assert.Equal(2, parts[target].Claims);
        Assert.Equal(2, parts.Sum(p => p.Claims) - parts[target].Claims);

        // Past the safety net (30 s), every partition is asked again even without a wake-up.
        _time.Advance(TimeSpan.FromSeconds(31));
        await store.ClaimAsync(10, Lease, default);
        Assert.All(parts.Where((_, i) => i != target), p => Assert.Equal(2, p.Claims));
    }

    [Fact]
    public async Task A_host_clock_stepping_back_does_not_stall_an_idle_partition()
    {
        // The stores' clock (the server's, here _time) runs on; the host's wall clock steps back an hour (an NTP
        // correction, a VM restored), while its monotonic clock keeps counting.
        var host = new SteppingBackClock(_time);
        var parts = Parts(3);
        var store = new PartitionedScheduleStore(parts, new PartitionRouter(parts.Length, host));
        await store.ScheduleAsync([new StoreItem("x", new byte[] { 1 }, 1_000, IsRelative: true)], ExistingTaskPolicy.Reschedule, default);
        var target = TaskPartitioner.PartitionOf("x", 3);
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
        var asked = parts[target].Claims;

        host.StepBack(TimeSpan.FromHours(1));
        _time.Advance(TimeSpan.FromSeconds(2));
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Equal(asked + 1, parts[target].Claims);
        Assert.Equal("x", Assert.Single(batch.Tasks).TaskId);
    }

    private CountingStore[] Parts(int n) => Enumerable.Range(0, n).Select(_ => new CountingStore(new InMemoryScheduleStore(new InMemorySchedule(_time)))).ToArray();
}

/// <summary>A host clock whose wall time steps back while its monotonic timestamp moves on with <paramref name="inner"/>.</summary>
internal sealed class SteppingBackClock(TimeProvider inner) : TimeProvider
{
    private TimeSpan _back;

    public void StepBack(TimeSpan by) => _back += by;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() - _back;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override long TimestampFrequency => inner.TimestampFrequency;
}
