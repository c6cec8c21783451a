using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>
/// Fencing tokens stay unique when the data rolls back, on real redis-servers: a claim taken on a master whose replica
/// was behind (its link cut), then the master SIGKILLed and the replica promoted, so the claim and the token
/// counter are rolled back. The next claim of the task on the new master must get a token that the first worker does
/// not hold, so the first worker's ack (sent to the new master after it reconnects) cannot end the new claim.
/// </summary>
[Collection(ReplicationCollection.Name)]
public sealed class FencingRollbackTests
{
    [Fact]
    public async Task A_claim_rolled_back_by_a_failover_does_not_share_its_token_with_the_next_claim()
    {
        await using var master = await RedisServer.StartAsync();
        await using var replica = await RedisServer.StartReplicaAsync(master);
        await using var masterConnection = await master.ConnectAsync(admin: true);
        await using var replicaConnection = await replica.ConnectAsync(admin: true);
        var prefix = RedisFixture.NewPrefix();
        var onMaster = RedisStores.Create(masterConnection, prefix, writeConcern: new WriteConcern(1, TimeSpan.FromSeconds(5))).Schedule;
        var due = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        await onMaster.ScheduleAsync([new StoreItem("t1", new byte[] { 1 }, due, IsRelative: false)], ExistingTaskPolicy.Reschedule, default);

        // The replica has the task (the schedule waited for it), then falls behind: its link to the master is cut (it
        // is pointed at a port where nothing listens; it keeps its data), so the claim reaches the master only.
        var replicaServer = replicaConnection.GetServer(replicaConnection.GetEndPoints()[0]);
        await replicaServer.ExecuteAsync("REPLICAOF", "127.0.0.1", "1");
        var first = Assert.Single((await onMaster.ClaimAsync(10, TimeSpan.FromMinutes(5), default)).Tasks);
        await master.StopAsync();
        await replicaServer.ExecuteAsync("REPLICAOF", "NO", "ONE");

        // The promoted replica never saw the first claim: the task is pending there, and is claimed again.
        var onNewMaster = RedisStores.Create(replicaConnection, prefix).Schedule;
        var second = Assert.Single((await onNewMaster.ClaimAsync(10, TimeSpan.FromMinutes(5), default)).Tasks);
        Assert.Equal("t1", second.TaskId);
        Assert.NotEqual(first.Token, second.Token);
        Assert.True(second.Token > first.Token, $"tokens go forward across the rollback: {first.Token} then {second.Token}");

        // The first worker's ack finds another claim and changes nothing; the second worker's ack ends it.
        Assert.False(await onNewMaster.AckAsync(new TaskClaim("t1", first.Token), default));
        Assert.NotNull(await onNewMaster.GetAsync("t1", default));
        Assert.True(await onNewMaster.AckAsync(new TaskClaim("t1", second.Token), default));
        Assert.Null(await onNewMaster.GetAsync("t1", default));
    }

    [Fact]
    public async Task A_counter_restored_from_an_older_snapshot_still_hands_out_new_tokens()
    {
        // A restart that lost the end of its append-only file is the same rollback on one server: here the counter
        // and the claim are put back as they were before the claim (DUMP / RESTORE), and the task claimed again.
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(admin: true);
        var prefix = RedisFixture.NewPrefix();
        var store = RedisStores.Create(connection, prefix).Schedule;
        var db = connection.GetDatabase();
        var due = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        await store.ScheduleAsync([new StoreItem("t1", new byte[] { 1 }, due, IsRelative: false)], ExistingTaskPolicy.Reschedule, default);
        var earlier = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(5), default)).Tasks); // the counter exists
        Assert.True(await store.AckAsync(new TaskClaim("t1", earlier.Token), default));
        await store.ScheduleAsync([new StoreItem("t1", new byte[] { 1 }, due, IsRelative: false)], ExistingTaskPolicy.Reschedule, default);

        var keys = new RedisKey[] { $"{{{prefix}}}:pending", $"{{{prefix}}}:inflight", $"{{{prefix}}}:lease", $"{{{prefix}}}:fence", $"{{{prefix}}}:tasks" };
        var snapshot = new Dictionary<RedisKey, byte[]?>();
        foreach (var key in keys)
        {
            snapshot[key] = await db.KeyDumpAsync(key);
        }

        var first = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(5), default)).Tasks);
        foreach (var (key, dump) in snapshot)
        {
            await db.KeyDeleteAsync(key);
            if (dump is not null)
            {
                await db.KeyRestoreAsync(key, dump);
            }
        }

        var second = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(5), default)).Tasks);
        Assert.True(second.Token > first.Token, $"tokens go forward across the rollback: {first.Token} then {second.Token}");
        Assert.False(await store.AckAsync(new TaskClaim("t1", first.Token), default));
        Assert.True(await store.AckAsync(new TaskClaim("t1", second.Token), default));
    }
}
