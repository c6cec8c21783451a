using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>Nothing grows without bound: bookkeeping leaves with its task, and big batches are sent in pieces Redis accepts.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisGrowthTests(RedisFixture redis)
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    private static StoreItem Due(string id) => new(id, TaskEnvelope.Write(new GenericTask("h", default, id)), 0, IsRelative: true);

    /// <summary>Claims <paramref name="id"/>, lets the lease expire and claims it again: one expired lease is counted.</summary>
    private static async Task<TaskClaim> ReclaimedAsync(RedisScheduleStore store, string id, TimeSpan lease)
    {
        await store.ScheduleAsync([Due(id)], ExistingTaskPolicy.Reschedule, default);
        Assert.Single((await store.ClaimAsync(10, Short, default)).Tasks);
        await Task.Delay(Short * 2); // the claimer "died": its lease expires (the store's clock is the server's)
        var again = Assert.Single((await store.ClaimAsync(10, lease, default)).Tasks);
        Assert.Equal(1, again.ExpiredLeases);
        return again.Claim;
    }

    [Fact]
    public async Task Release_then_cancel_leaves_no_key()
    {
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        var claim = await ReclaimedAsync(store, "g", TimeSpan.FromMinutes(1));

        Assert.Equal(1, await store.ReleaseAsync([claim], default));
        Assert.True(await store.CancelAsync("g", default));

        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Release_then_reschedule_then_cancel_leaves_no_key()
    {
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        var claim = await ReclaimedAsync(store, "g", TimeSpan.FromMinutes(1));

        Assert.Equal(1, await store.ReleaseAsync([claim], default));
        Assert.Equal([ScheduleStatus.Rescheduled], await store.ScheduleAsync([Due("g")], ExistingTaskPolicy.Reschedule, default));
        Assert.True(await store.CancelAsync("g", default));

        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }

    [Fact]
    public async Task Streams_promotion_of_an_expired_lease_takes_its_bookkeeping_along()
    {
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        await ReclaimedAsync(store, "g", Short);
        await Task.Delay(Short * 2); // this lease expires too: the streams broker's promotion takes it over
        var queue = new RedisStreamQueue(redis.Connection, prefix, "test");
        await queue.EnsureGroupAsync();

        var (promoted, _, _, _, _) = await queue.PromoteAsync(10);
        var db = redis.Connection.GetDatabase();

        Assert.Equal(1, promoted);
        Assert.Equal(0, await db.HashLengthAsync("{" + prefix + "}:reclaims"));
        Assert.Equal(0, await db.HashLengthAsync("{" + prefix + "}:lease"));
        Assert.Equal(0, await db.SortedSetLengthAsync("{" + prefix + "}:inflight"));
    }

    [Fact]
    public async Task Scheduling_hundreds_of_megabytes_in_one_call_goes_out_in_pieces_that_never_time_out()
    {
        // 600 tasks of 1 MiB in one call: sent as one script call, the connection carries 600 MB before the reply and
        // the call (and every command queued behind it) times out; measured before the fix with 1,000 x 1 MiB and the
        // default 5 s timeout: "Timeout awaiting response (outbound=1024059KiB ...)". Here the timeout is 1.5 s.
        await using var server = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",syncTimeout=1500,asyncTimeout=1500");
        var store = new RedisScheduleStore(new RedisSchedule(connection, "big"));
        var payload = new byte[1024 * 1024];
        var items = Enumerable.Range(0, 600)
            .Select(i => new StoreItem("big-" + i, TaskEnvelope.Write(new GenericTask("h", payload, "big-" + i)), 0, IsRelative: true))
            .ToList();

        var statuses = await store.ScheduleAsync(items, ExistingTaskPolicy.Reschedule, default);

        Assert.All(statuses, s => Assert.Equal(ScheduleStatus.Scheduled, s));
        Assert.Equal(600, await connection.GetDatabase().SortedSetLengthAsync("{big}:pending"));
    }

    [Fact]
    public void Chunks_are_cut_by_bytes_and_by_count()
    {
        var big = new StoreItem("b", new byte[RedisScheduleStore.ScheduleChunkBytes / 3], 0, true);
        var small = new StoreItem("s", new byte[10], 0, true);
        var huge = new StoreItem("h", new byte[RedisScheduleStore.ScheduleChunkBytes * 2], 0, true);

        Assert.Equal(2, RedisScheduleStore.ChunkLength([big, big, big, big], 0)); // a third is too many
        Assert.Equal(1, RedisScheduleStore.ChunkLength([huge, small], 0)); // a task larger than a chunk goes alone
        Assert.Equal(RedisScheduleStore.ScheduleChunk, RedisScheduleStore.ChunkLength(Enumerable.Repeat(small, 2500).ToList(), 0));
        Assert.Equal(500, RedisScheduleStore.ChunkLength(Enumerable.Repeat(small, 2500).ToList(), 2000));
    }
}
