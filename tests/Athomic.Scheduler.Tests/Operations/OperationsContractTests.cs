using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Store;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Operations;

/// <summary>The operations contract on the in-memory store, driven by a fake clock.</summary>
public sealed class InMemoryOperationsTests : OperationsContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    protected override DateTimeOffset Now => _time.GetUtcNow();

    private protected override TimeProvider Time => _time;

    private protected override Task<ScheduleStores> CreateStoresAsync() => Task.FromResult(InMemoryStores.Create(_time));
}

/// <summary>The operations contract on four in-memory partitions sharing one fake clock.</summary>
public sealed class PartitionedInMemoryOperationsTests : OperationsContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    protected override DateTimeOffset Now => _time.GetUtcNow();

    private protected override TimeProvider Time => _time;

    private protected override Task<ScheduleStores> CreateStoresAsync()
    {
        Router = new PartitionRouter(4, _time);
        return Task.FromResult(ScheduleStores.Partitioned([.. Enumerable.Range(0, 4).Select(_ => InMemoryStores.Create(_time))], Router));
    }
}

/// <summary>The operations contract on one Redis schedule.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOperationsTests(RedisFixture redis) : OperationsContract
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(redis.Connection, RedisFixture.NewPrefix()));
}

/// <summary>The operations contract on four Redis partitions (four hash tags) of one redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartitionedRedisOperationsTests(RedisFixture redis) : OperationsContract
{
    private protected override Task<ScheduleStores> CreateStoresAsync()
    {
        var prefix = RedisFixture.NewPrefix();
        var partitions = Enumerable.Range(0, 4).Select(p => RedisStores.Create(redis.Connection, TaskPartitioner.PartitionPrefix(prefix, p))).ToArray();
        Router = new PartitionRouter(partitions.Length);
        return Task.FromResult(ScheduleStores.Partitioned(partitions, Router));
    }
}

/// <summary>The operations contract on an embedded Garnet server.</summary>
public sealed class GarnetOperationsTests(GarnetFixture garnet) : OperationsContract, IClassFixture<GarnetFixture>
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(garnet.Connection, RedisFixture.NewPrefix()));
}
