using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// Removing gone consumers from a stream's group: a consumer is removed only while it holds nothing, checked in the
/// same atomic step as the removal (XGROUP DELCONSUMER drops a consumer's pending entries for good).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ConsumerCleanupTests(RedisFixture redis)
{
    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task A_consumer_that_reads_an_entry_while_the_sweep_looks_at_it_keeps_the_entry()
    {
        var prefix = RedisFixture.NewPrefix();
        var sweeper = new RedisStreamQueue(redis.Connection, prefix, "sweeper");
        await sweeper.EnsureGroupAsync();
        var stream = sweeper.Stream;
        await Db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, RedisStreamQueue.GroupName, "victim"); // empty, and soon idle
        await Db.StreamAddAsync(stream, "t", "task-1");
        await IdleAsync(stream, "victim", TimeSpan.FromMilliseconds(10));

        // The victim reads right behind the sweep's first command on the same connection: Redis runs the read after
        // whatever the sweep sent first and before anything the sweep sends after seeing its first reply. Before the
        // fix that was XINFO CONSUMERS (victim: idle, 0 pending), then the read, then XGROUP DELCONSUMER.
        var sweep = sweeper.RemoveGoneConsumersAsync(TimeSpan.FromMilliseconds(10));
        var read = Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "victim", ">", 10);
        await sweep;
        Assert.Single(await read);

        // The entry the victim got is still pending in the group (in the victim's list, or reclaimable), never dropped.
        var pending = await Db.StreamPendingAsync(stream, RedisStreamQueue.GroupName);
        Assert.Equal(1, pending.PendingMessageCount);
        Assert.Contains(await Db.StreamConsumerInfoAsync(stream, RedisStreamQueue.GroupName), c => c.Name == "victim" && c.PendingMessageCount == 1);
    }

    [Fact]
    public async Task Only_idle_consumers_without_pending_entries_are_removed_and_the_removed_are_named()
    {
        var prefix = RedisFixture.NewPrefix();
        var sweeper = new RedisStreamQueue(redis.Connection, prefix, "sweeper");
        await sweeper.EnsureGroupAsync();
        var stream = sweeper.Stream;
        await Db.StreamAddAsync(stream, "t", "task-1");
        Assert.Single(await Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "holder", ">", 1)); // idle, holds one
        await Db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, RedisStreamQueue.GroupName, "gone");    // idle, empty
        await Db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, RedisStreamQueue.GroupName, "sweeper"); // this process
        await IdleAsync(stream, "gone", TimeSpan.FromMilliseconds(40));
        await IdleAsync(stream, "holder", TimeSpan.FromMilliseconds(40));
        await Db.ExecuteAsync("XGROUP", "CREATECONSUMER", stream, RedisStreamQueue.GroupName, "fresh");   // empty, not idle enough

        var removed = await sweeper.RemoveGoneConsumersAsync(TimeSpan.FromMilliseconds(40));

        Assert.Equal(["gone"], removed);
        var left = (await Db.StreamConsumerInfoAsync(stream, RedisStreamQueue.GroupName)).Select(c => (string)c.Name!).Order().ToArray();
        Assert.Equal(["fresh", "holder", "sweeper"], left);
        Assert.Equal(1, (await Db.StreamPendingAsync(stream, RedisStreamQueue.GroupName)).PendingMessageCount);

        // A stopping process removes only itself, and only while it holds nothing.
        Assert.Equal(["sweeper"], await sweeper.RemoveGoneConsumersAsync(TimeSpan.Zero, self: true));
        Assert.Empty(await new RedisStreamQueue(redis.Connection, prefix, "holder").RemoveGoneConsumersAsync(TimeSpan.Zero, self: true));
        left = (await Db.StreamConsumerInfoAsync(stream, RedisStreamQueue.GroupName)).Select(c => (string)c.Name!).Order().ToArray();
        Assert.Equal(["fresh", "holder"], left);
    }

    /// <summary>Waits until Redis reports <paramref name="consumer"/> idle for longer than <paramref name="idle"/>.</summary>
    private Task IdleAsync(RedisKey stream, string consumer, TimeSpan idle) =>
        Eventually.TrueAsync(
            async () => (await Db.StreamConsumerInfoAsync(stream, RedisStreamQueue.GroupName)).Single(c => c.Name == consumer).IdleTimeInMilliseconds > idle.TotalMilliseconds,
            TimeSpan.FromSeconds(10),
            $"consumer {consumer} idle for more than {idle.TotalMilliseconds} ms");
}
