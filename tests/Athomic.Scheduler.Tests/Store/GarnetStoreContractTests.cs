using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Garnet;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>An embedded Garnet server shared by the Garnet contract tests.</summary>
public sealed class GarnetFixture : IAsyncLifetime
{
    public EmbeddedGarnetServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = EmbeddedGarnetServer.Start();
        // Garnet compiles a Lua script on its first use; on a loaded 2-core machine that once took over the default 5 s.
        var config = ConfigurationOptions.Parse(Server.ConnectionString);
        config.SyncTimeout = config.AsyncTimeout = 20_000;
        Connection = await ConnectionMultiplexer.ConnectAsync(config);
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        Server.Dispose();
    }
}

/// <summary>The same store contract on an embedded Garnet server (the sample's default store).</summary>
public sealed class GarnetStoreContractTests(GarnetFixture garnet) : ScheduleStoreContract, IClassFixture<GarnetFixture>
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(garnet.Connection, Infrastructure.RedisFixture.NewPrefix()));

    // Garnet's Lua TIME is its server clock: let real time pass.
    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}
