using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Store;

[Collection(RedisCollection.Name)]
public sealed class RedisStoreContractTests(RedisFixture redis) : ScheduleStoreContract
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(redis.Connection, RedisFixture.NewPrefix()));

    // The Redis store's clock is the server's TIME: let real time pass.
    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}
