using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// Stream entries deleted outside the scheduler (an operator's <c>XDEL</c>, an <c>XTRIM</c>): the task's mark in
/// <c>{p}:queued</c> must not outlive its entry, or a version scheduled while it was queued is held back for ever (and
/// the id counts as queued, so a refusing schedule is refused for ever).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DeletedEntryTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task A_version_held_back_behind_a_delivered_entry_that_was_deleted_runs_once_the_entry_is_reclaimed()
    {
        // The entry was read by a consumer that died, then deleted: XAUTOCLAIM reports its id as deleted.
        await HeldBackBehindAGoneEntryRunsAsync(async (stream, entryId) =>
        {
            Assert.Single(await Db.StreamReadGroupAsync(stream, RedisStreamQueue.GroupName, "ghost", ">", 10));
            Assert.Equal(1, await Db.StreamDeleteAsync(stream, [entryId]));
        });
    }

    [Fact]
    public async Task A_version_held_back_behind_an_entry_trimmed_before_delivery_runs()
    {
        // The entry was never read (no consumer's pending list names it), then trimmed away.
        await HeldBackBehindAGoneEntryRunsAsync(async (stream, _) => Assert.Equal(1, await Db.StreamTrimAsync(stream, 0)));
    }

    [Fact]
    public async Task A_running_entry_deleted_from_the_stream_has_its_run_cancelled_before_the_version_held_back_runs()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new HoldRegistry();
        using var connection = await ClaimHosts.ConnectAsync(redis);
        using var host = Hosts.RedisStreams(connection, prefix, registry, o => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(HoldRegistry.Hold, default, "x"), TimeSpan.Zero);
        await registry.HoldStarted.Task.WaitAsync(Timeout);
        var stream = Key(prefix, "stream");
        Assert.Equal(1, await Db.StreamDeleteAsync(stream, [(await Db.StreamRangeAsync(stream)).Single().Id]));
        await scheduler.ScheduleAsync(new GenericTask(HoldRegistry.After, default, "x"), TimeSpan.Zero); // held back behind the run

        bool cancelledFirst;
        try
        {
            cancelledFirst = await registry.AfterRan.Task.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the version held back did not run within {Timeout}: the first run was cancelled: {registry.HoldCancelled.Task.IsCompleted}, " +
                $"queued names entry {await Db.HashGetAsync(Key(prefix, "queued"), "x")}, held back: {await Db.HashExistsAsync(Key(prefix, "deferred"), "x")}");
            throw;
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.True(cancelledFirst, "the version held back ran beside the run of the deleted entry");
        Assert.False(await Db.HashExistsAsync(Key(prefix, "queued"), "x"));
    }

    private async Task HeldBackBehindAGoneEntryRunsAsync(Func<RedisKey, RedisValue, Task> removeEntry)
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var connection = await ClaimHosts.ConnectAsync(redis);
        using var host = Hosts.RedisStreams(connection, prefix, registry, o => o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1));
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 1 }, "x"), TimeSpan.Zero);
        Assert.Equal(1, (await broker.PromoteDueAsync(10, default)).Count);
        var stream = Key(prefix, "stream");
        await Db.StreamCreateConsumerGroupAsync(stream, RedisStreamQueue.GroupName, "0-0");
        var entryId = (await Db.StreamRangeAsync(stream)).Single().Id;
        await removeEntry(stream, entryId);

        // Version 2, scheduled while "x" is queued, is held back until the entry ends.
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 2 }, "x"), TimeSpan.Zero);
        Assert.True(await Db.HashExistsAsync(Key(prefix, "deferred"), "x"));

        await host.StartAsync();
        try
        {
            await registry.WhenDistinctRuns(1, Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"version 2 of 'x' did not run within {Timeout}: queued still names entry {await Db.HashGetAsync(Key(prefix, "queued"), "x")} " +
                $"(in the stream: {(await Db.StreamRangeAsync(stream, entryId, entryId)).Length}), version 2 held back: {await Db.HashExistsAsync(Key(prefix, "deferred"), "x")}");
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Equal(new byte[] { 2 }, Assert.Single(registry.Contexts).Payload.ToArray());
        Assert.False(await Db.HashExistsAsync(Key(prefix, "queued"), "x"));
        Assert.False(await Db.HashExistsAsync(Key(prefix, "deferred"), "x"));
    }

    private static RedisKey Key(string prefix, string name) => "{" + prefix + "}:" + name;

    /// <summary>A handler that runs until cancelled, and one that records whether that run was cancelled before it started.</summary>
    private sealed class HoldRegistry : Execution.IScheduledHandlerRegistry
    {
        public const string Hold = "test.hold";
        public const string After = "test.after";

        public HoldRegistry()
        {
            Handlers =
            [
                new Execution.ScheduledHandlerDescriptor(Hold, "Tests.Hold", null, async (_, _, ct) =>
                {
                    HoldStarted.TrySetResult();
                    try
                    {
                        await Task.Delay(System.Threading.Timeout.Infinite, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        HoldCancelled.TrySetResult();
                        throw;
                    }
                }),
                new Execution.ScheduledHandlerDescriptor(After, "Tests.After", null, (_, _, _) =>
                {
                    AfterRan.TrySetResult(HoldCancelled.Task.IsCompleted);
                    return ValueTask.CompletedTask;
                }),
            ];
        }

        public IReadOnlyList<Execution.ScheduledHandlerDescriptor> Handlers { get; }

        public TaskCompletionSource HoldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource HoldCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> AfterRan { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
