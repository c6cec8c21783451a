using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Store;

// Three partitions: the contract's wake-up test puts "first" and "later" in partition 2 and "sooner" in partition 0
// (TaskPartitioner is fixed forever), so "woken only by an earlier task" holds per partition as the contract asks.

/// <summary>The store contract on three Redis partitions (three hash tags) of one redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartitionedRedisStoreContractTests(RedisFixture redis) : ScheduleStoreContract
{
    private protected override Task<ScheduleStores> CreateStoresAsync()
    {
        var prefix = RedisFixture.NewPrefix();
        var partitions = Enumerable.Range(0, 3)
            .Select(p => RedisStores.Create(redis.Connection, TaskPartitioner.PartitionPrefix(prefix, p)))
            .ToArray();
        return Task.FromResult(ScheduleStores.Partitioned(partitions, new PartitionRouter(partitions.Length)));
    }

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}

/// <summary>The store contract on three in-memory partitions sharing one fake clock.</summary>
public sealed class PartitionedInMemoryStoreContractTests : ScheduleStoreContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private protected override Task<ScheduleStores> CreateStoresAsync() => Task.FromResult(
        ScheduleStores.Partitioned([InMemoryStores.Create(_time), InMemoryStores.Create(_time), InMemoryStores.Create(_time)], new PartitionRouter(3, _time)));

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}
