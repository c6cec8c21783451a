using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Store;

public sealed class InMemoryStoreContractTests : ScheduleStoreContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private protected override Task<ScheduleStores> CreateStoresAsync() => Task.FromResult(InMemoryStores.Create(_time));

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}
