using Athomic.Scheduler.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>One redis-server shared by a test collection; tests isolate themselves with a unique key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RedisServer.StartAsync();
        Connection = await Server.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Counts the keys of a prefix (all share the hash tag <c>{prefix}</c>) that hold tasks or their state: every key
    /// but <c>:fence</c>, the 8-byte counter fencing tokens are taken from, which stays for good by design (a counter
    /// that started again could hand a stalled run's token to a newer claim), and <c>:owner</c>, which names the process
    /// of the latest claim batches (bounded: <c>RedisScheduleStore.OwnerBatchesKept</c> members).
    /// </summary>
    public async Task<int> KeyCountAsync(string prefix)
    {
        var server = Connection.GetServer(Connection.GetEndPoints()[0]);
        var count = 0;
        await foreach (var key in server.KeysAsync(pattern: "{" + prefix + "}*"))
        {
            if (!((string)key!).EndsWith("}:fence", StringComparison.Ordinal) && !((string)key!).EndsWith("}:owner", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
