namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>The fixture's leftover-key check sees what a scheduler leaves in every partition and in flow control.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFixtureTests(RedisFixture redis)
{
    [Fact]
    public async Task The_leftover_check_sees_the_keys_of_every_partition_and_of_flow_control()
    {
        var prefix = RedisFixture.NewPrefix();
        var other = RedisFixture.NewPrefix();
        var db = redis.Connection.GetDatabase();
        string[] left = ["{" + prefix + "}:pending", "{" + prefix + "#1}:tasks", "{" + prefix + "#3}:inflight", "{" + prefix + "#flow}:slots:h"];
        string[] kept = ["{" + prefix + "}:fence", "{" + prefix + "#2}:fence", "{" + prefix + "#2}:owner", "{" + other + "}:pending", "{" + other + "#1}:pending"];
        foreach (var key in left.Concat(kept))
        {
            await db.StringSetAsync(key, "x");
        }

        try
        {
            Assert.Equal(left.Order(StringComparer.Ordinal), (await redis.LeftoverKeysAsync(prefix)).Order(StringComparer.Ordinal));
            Assert.Equal(left.Length, await redis.KeyCountAsync(prefix));
        }
        finally
        {
            await db.KeyDeleteAsync(left.Concat(kept).Select(k => (StackExchange.Redis.RedisKey)k).ToArray());
        }
    }
}
