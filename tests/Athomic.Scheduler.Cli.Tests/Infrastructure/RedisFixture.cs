using Athomic.Scheduler.Testing;

namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>One redis-server shared by a test collection; tests isolate themselves with a unique key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => Server = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => "cli" + Guid.NewGuid().ToString("N")[..10];
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
