using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Store;

[Collection(RedisCollection.Name)]
public sealed class RedisStoreContractTests(RedisFixture redis) : ScheduleStoreContract
{
    protected override Task<IScheduleStore> CreateAsync() =>
        Task.FromResult<IScheduleStore>(new RedisScheduleStore(redis.Connection, RedisFixture.NewPrefix()));

    // The Redis store's clock is the server's TIME: let real time pass.
    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}
