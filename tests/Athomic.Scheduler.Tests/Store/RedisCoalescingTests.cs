using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using StackExchange.Redis;

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
    public async Task Coalesced_single_schedules_are_capped_by_bytes_per_call()
    {
        // A server of its own, logging every command with its arguments (SLOWLOG keeps 31 and counts the rest).
        await using var server = await RedisServer.StartAsync("--slowlog-log-slower-than", "0", "--slowlog-max-len", "1000");
        await using var connection = await server.ConnectAsync(admin: true);
        var prefix = RedisFixture.NewPrefix();
        var store = new RedisScheduleStore(new RedisSchedule(connection, prefix));
        var envelope = new byte[1024 * 1024];

        // The script loaded first (scripts go by SHA, and a server that does not know one answers the first call with
        // NOSCRIPT, which the log would count as one more call), then the log cleared.
        var admin = connection.GetServer(connection.GetEndPoints()[0]);
        await new RedisScheduleStore(new RedisSchedule(connection, RedisFixture.NewPrefix())).ScheduleAsync([new StoreItem("warm", envelope[..1], 60_000, IsRelative: true)], ExistingTaskPolicy.Reschedule, default);
        await admin.SlowlogResetAsync();

        // Called together: the first goes out alone, the other 23 queue behind it and are coalesced.
        var calls = Enumerable.Range(0, 24).Select(i => store.ScheduleAsync([new StoreItem("big" + i, envelope, 60_000, IsRelative: true)], ExistingTaskPolicy.Reschedule, default)).ToList();
        Assert.All(await Task.WhenAll(calls), s => Assert.Equal([ScheduleStatus.Scheduled], s));

        var perCall = (await admin.SlowlogGetAsync(1000))
            .Select(t => t.Arguments)
            .Where(a => a.Length > 3 && ((string)a[0]!).StartsWith("EVAL", StringComparison.OrdinalIgnoreCase) && a.Any(v => v == "{" + prefix + "}:pending"))
            .Select(TasksOfScheduleCall)
            .ToList();
        Assert.Equal(24, perCall.Sum());
        Assert.Contains(perCall, n => n > 1); // still coalesced
        Assert.All(perCall, n => Assert.True(n == 1 || (long)n * envelope.Length <= RedisScheduleStore.ScheduleChunkBytes, $"one call carried {n} tasks of 1 MiB"));
    }

    /// <summary>How many tasks a logged <c>schedule.lua</c> call carried: EVAL(SHA), script, 10 keys and their count, 2 arguments, then 4 per task.</summary>
    private static int TasksOfScheduleCall(RedisValue[] args)
    {
        var argc = args.Length;
        if (argc == 32 && (string)args[31]! is { } last && last.StartsWith("... (", StringComparison.Ordinal))
        {
            argc = 31 + int.Parse(last["... (".Length..last.IndexOf(' ', "... (".Length)], System.Globalization.CultureInfo.InvariantCulture);
        }

        return (argc - 15) / 4;
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
