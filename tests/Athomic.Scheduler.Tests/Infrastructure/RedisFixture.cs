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
    /// Every key of a scheduler with this prefix: its first partition's (<c>{prefix}</c>), the other partitions'
    /// (<c>{prefix#i}</c>) and flow control's (<c>{prefix#flow}</c>).
    /// </summary>
    public async IAsyncEnumerable<string> KeysAsync(string prefix)
    {
        var server = Connection.GetServer(Connection.GetEndPoints()[0]);
        foreach (var pattern in new[] { "{" + prefix + "}*", "{" + prefix + "#*" })
        {
            await foreach (var key in server.KeysAsync(pattern: pattern))
            {
                yield return (string)key!;
            }
        }
    }

    /// <summary>
    /// The keys of a prefix, over every partition and flow control, that hold tasks or their state: every key but
    /// <c>:fence</c>, the 8-byte counter fencing tokens are taken from, which stays for good by design (a counter that
    /// started again could hand a stalled run's token to a newer claim), and <c>:owner</c>, which names the process of
    /// the latest claim batches (bounded: <c>RedisScheduleStore.OwnerBatchesKept</c> members); an empty <c>:stream</c>
    /// stays too, as it keeps the streams broker's consumer group; and <c>:consumer:{name}</c>, with which a running
    /// streams worker holds its consumer name (deleted when it stops, else gone within the visibility timeout).
    /// </summary>
    public async Task<IReadOnlyList<string>> LeftoverKeysAsync(string prefix)
    {
        var db = Connection.GetDatabase();
        var left = new List<string>();
        await foreach (var key in KeysAsync(prefix))
        {
            if (key.EndsWith("}:fence", StringComparison.Ordinal) || key.EndsWith("}:owner", StringComparison.Ordinal) ||
                key.Contains("}:consumer:", StringComparison.Ordinal) ||
                (key.EndsWith("}:stream", StringComparison.Ordinal) && await db.StreamLengthAsync(key) == 0))
            {
                continue;
            }

            left.Add(key);
        }

        return left;
    }

    /// <summary>How many keys <see cref="LeftoverKeysAsync"/> finds.</summary>
    public async Task<int> KeyCountAsync(string prefix) => (await LeftoverKeysAsync(prefix)).Count;
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "redis";
}
