using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// The streams broker's keep-alive: a failed keep-alive is retried at once (not a whole period later), each partition
/// is kept alive on its own (one that hangs delays no other), and start-up refuses a visibility timeout that one slow
/// reply can cost.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class KeepAliveTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(30); // kept alive every 10 s of fake time

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task A_failed_keep_alive_is_retried_long_before_the_next_period()
    {
        var prefix = RedisFixture.NewPrefix();
        var queue = new RedisStreamQueue(redis.Connection, prefix, "me");
        var (entry, stream) = await HoldOneAsync(queue, redis.Connection);
        var logs = new LogCapture();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var keeper = new StreamLeaseKeeper([queue], Visibility, time, logs.CreateLogger("keeper"), default);
        var lease = Run(keeper, entry);
        keeper.StartKeepAlive();

        // The stream is briefly not a stream: the first keep-alive, a third into the visibility timeout, fails.
        RedisKey aside = "{" + prefix + "}:stream-aside";
        await Db.KeyRenameAsync(stream, aside);
        await Db.StringSetAsync(stream, "not a stream");
        await AdvanceUntilAsync(time, () => logs.Entries.Any(e => e.Exception is RedisServerException), TimeSpan.FromSeconds(10), Visibility, "the first keep-alive failed");
        await Db.KeyDeleteAsync(stream);
        await Db.KeyRenameAsync(aside, stream);

        // Another consumer takes the entry over: the next keep-alive reports it lost. It comes within a second of fake
        // time, not a whole period (10 s) later, when the entry would long be idle for good on a loaded Redis.
        await Db.StreamClaimAsync(stream, RedisStreamQueue.GroupName, "thief", 0, [entry.EntryId]);
        try
        {
            await AdvanceUntilAsync(time, () => lease.IsLost, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), "the failed keep-alive was retried");
        }
        finally
        {
            await keeper.StopKeepAliveAsync();
        }
    }

    [Fact]
    public async Task A_partition_whose_keep_alive_hangs_does_not_delay_the_other_partitions()
    {
        // Two partitions on two servers, as on a Redis Cluster; the node of partition 0 stops answering.
        await using var slow = await RedisServer.StartAsync();
        await using var fast = await RedisServer.StartAsync();
        using var slowConnection = await ConnectionMultiplexer.ConnectAsync(slow.ConnectionString + ",syncTimeout=10000,asyncTimeout=10000");
        using var fastConnection = await fast.ConnectAsync(admin: true);
        var prefix = RedisFixture.NewPrefix();
        RedisStreamQueue[] queues = [new(slowConnection, prefix, "me", 0), new(fastConnection, prefix + "#1", "me", 1)];
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var keeper = new StreamLeaseKeeper(queues, Visibility, time, new LogCapture().CreateLogger("keeper"), default);
        foreach (var queue in queues)
        {
            Run(keeper, (await HoldOneAsync(queue, queue == queues[0] ? slowConnection : fastConnection)).Entry);
        }

        var fastServer = fastConnection.GetServer(fastConnection.GetEndPoints()[0]);
        var scripts = await ScriptCallsAsync(fastServer);
        keeper.StartKeepAlive();
        await AdvanceUntilAsync(time, async () => await ScriptCallsAsync(fastServer) > scripts, TimeSpan.FromSeconds(10), Visibility, "partition 1 kept alive");

        slow.Freeze();
        try
        {
            // Partition 0's keep-alive now waits 10 s for its reply; partition 1's next two come on time all the same.
            for (var round = 1; round <= 2; round++)
            {
                scripts = await ScriptCallsAsync(fastServer);
                await AdvanceUntilAsync(time, async () => await ScriptCallsAsync(fastServer) > scripts, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), $"partition 1 kept alive while partition 0 hangs (round {round})");
            }
        }
        finally
        {
            slow.Thaw();
            await keeper.StopKeepAliveAsync();
        }
    }

    [Fact]
    public async Task A_visibility_timeout_shorter_than_twice_the_connection_timeout_stops_the_start()
    {
        // The fixture's connection waits up to 5 s for a reply: a keep-alive that slow must still be retried in time.
        using var host = Hosts.RedisStreams(redis.Connection, RedisFixture.NewPrefix(), new RecordingRegistry(), o => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(9));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Streams:VisibilityTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_does_not_read_the_stream_starts_with_any_visibility_timeout()
    {
        using var host = Hosts.RedisStreams(redis.Connection, RedisFixture.NewPrefix(), new RecordingRegistry(), o =>
        {
            o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1);
            o.Worker.Enabled = false;
        });

        await host.StartAsync();
        await host.StopAsync();
    }

    /// <summary>Adds one entry to the queue's stream and reads it as the queue's consumer.</summary>
    private static async Task<(StreamDelivery Entry, RedisKey Stream)> HoldOneAsync(RedisStreamQueue queue, IConnectionMultiplexer connection)
    {
        await queue.EnsureGroupAsync();
        await connection.GetDatabase().StreamAddAsync(queue.Stream, "t", "a");
        return (Assert.Single(await queue.ReadAsync(connection, 1, null)), queue.Stream);
    }

    private static TaskLease Run(StreamLeaseKeeper keeper, StreamDelivery entry)
    {
        var lease = new TaskLease(new GenericTask(RecordingRegistry.Record, default, entry.TaskId), keeper, entry.Receipt);
        keeper.Hold(entry.Receipt);
        keeper.Running(entry.Receipt, lease);
        return lease;
    }

    /// <summary>Scripts run on a server so far (on the keep-alive's own server: its keep-alives).</summary>
    private static async Task<long> ScriptCallsAsync(IServer server)
    {
        var calls = await CommandStats.ClientCommandsAsync(server, new HashSet<string>());
        return calls.GetValueOrDefault("evalsha") + calls.GetValueOrDefault("eval");
    }

    /// <summary>
    /// Advances the fake clock by <paramref name="step"/> until <paramref name="done"/> holds (the keep-alive loops run on
    /// the thread pool: each step waits up to 200 ms of real time for them), failing past <paramref name="limit"/> of fake time.
    /// </summary>
    private static Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done, TimeSpan step, TimeSpan limit, string what) =>
        AdvanceUntilAsync(time, () => Task.FromResult(done()), step, limit, what);

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<Task<bool>> done, TimeSpan step, TimeSpan limit, string what)
    {
        var advanced = TimeSpan.Zero;
        while (true)
        {
            for (var waited = 0; waited < 200; waited += 10)
            {
                if (await done())
                {
                    return;
                }

                await Task.Delay(10); // polling a condition read from Redis (or the keeper's state): no event to await
            }

            Assert.True(advanced < limit, $"{what}: not within {limit} of fake time");
            time.Advance(step);
            advanced += step;
        }
    }
}
