using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// Scripts go by a SHA1 computed once (<c>EVALSHA</c>, <see cref="EmbeddedScript"/>): a server that does not know them
/// (new, restarted, a promoted replica; here its script cache flushed) gets them as text and runs them all the same.
/// </summary>
public sealed class ScriptCacheTests
{
    [Fact]
    public async Task The_claim_and_the_ack_run_on_a_server_whose_script_cache_was_flushed()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(admin: true);
        var admin = connection.GetServer(connection.GetEndPoints()[0]);
        var claim = EmbeddedScript.Load("claim").Sha1;
        var ack = EmbeddedScript.Load("ack").Sha1;
        var store = new RedisScheduleStore(new RedisSchedule(connection, RedisFixture.NewPrefix()));
        static StoreItem Due(string id) => new(id, new byte[] { 1, 2, 3 }, 0, IsRelative: true);
        await store.ScheduleAsync([Due("a"), Due("b")], ExistingTaskPolicy.Reschedule, default);

        // A fresh server: neither script is known to it yet.
        Assert.False(await admin.ScriptExistsAsync(claim));
        Assert.False(await admin.ScriptExistsAsync(ack));
        var first = Assert.Single((await store.ClaimAsync(1, TimeSpan.FromMinutes(1), default)).Tasks);
        Assert.True(await store.AckAsync(first.Claim, default));
        Assert.True(await admin.ScriptExistsAsync(claim));
        Assert.True(await admin.ScriptExistsAsync(ack));

        // Forgotten again (as by a restart): loaded again on the next call.
        await admin.ScriptFlushAsync();
        var second = Assert.Single((await store.ClaimAsync(1, TimeSpan.FromMinutes(1), default)).Tasks);
        Assert.True(await store.AckAsync(second.Claim, default));
        Assert.Equal(["a", "b"], new[] { first.TaskId, second.TaskId }.Order(StringComparer.Ordinal));
        Assert.Empty((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);
    }
}
