using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>Concurrent single-task schedules share script calls (group commit) without changing any result.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisCoalescingTests(RedisFixture redis)
{
    [Fact]
    public async Task Concurrent_single_schedules_each_get_their_own_status_and_all_are_stored()
    {
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, RedisFixture.NewPrefix()));
        static StoreItem Item(string id) => new(id, new byte[] { 1, 2, 3 }, 60_000, IsRelative: true);

        var distinct = await Task.WhenAll(Enumerable.Range(0, 500).Select(i => Task.Run(() => store.ScheduleAsync([Item("d" + i)], ExistingTaskPolicy.Reschedule, default))));
        var same = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => store.ScheduleAsync([Item("same")], ExistingTaskPolicy.Refuse, default))));

        Assert.All(distinct, s => Assert.Equal([ScheduleStatus.Scheduled], s));
        Assert.Single(same, s => s[0] == ScheduleStatus.Scheduled);
        Assert.Equal(99, same.Count(s => s[0] == ScheduleStatus.AlreadyExists));
        for (var i = 0; i < 500; i += 50)
        {
            Assert.Equal(ScheduledTaskState.Pending, (await store.GetAsync("d" + i, default))!.State);
        }
    }

    [Fact]
    public async Task A_failed_call_fails_every_caller_it_carried()
    {
        var store = new RedisScheduleStore(new RedisSchedule(redis.Connection, RedisFixture.NewPrefix()));
        var item = new StoreItem("x", new byte[] { 1 }, 0, IsRelative: true);

        // A task id Redis refuses is impossible through IScheduler; a wrong-type key makes the script itself fail.
        var prefix = RedisFixture.NewPrefix();
        await redis.Connection.GetDatabase().StringSetAsync("{" + prefix + "}:pending", "not a zset");
        var broken = new RedisScheduleStore(new RedisSchedule(redis.Connection, prefix));
        var calls = Enumerable.Range(0, 20).Select(_ => Task.Run(() => broken.ScheduleAsync([item], ExistingTaskPolicy.Reschedule, default))).ToList();
        foreach (var call in calls)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        Assert.Equal([ScheduleStatus.Scheduled], await store.ScheduleAsync([item], ExistingTaskPolicy.Reschedule, default));
    }
}
