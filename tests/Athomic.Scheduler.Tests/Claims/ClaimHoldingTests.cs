using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>
/// Every claim of a batch is held from the moment the store handed it over until it ends, whatever else in the batch
/// fails or is slow: a failed dead letter does not strand the good claims beside it, and a slow partition does not
/// let the claims of the partitions that answered before it expire.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ClaimHoldingTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_dead_letter_that_fails_leaves_the_good_claims_of_its_batch_to_run()
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        await using var connection = await ClaimHosts.ConnectAsync(redis);
        var store = new FirstDeadLetterFails(new RedisScheduleStore(new RedisSchedule(connection, prefix)));
        using var host = ClaimHosts.Start(connection, prefix, log, streams: false, customize: b =>
        {
            b.Services.RemoveAll<IScheduleStore>();
            b.Services.AddSingleton<IScheduleStore>(store);
        });

        // One unreadable entry and three good tasks, all due: MaxConcurrency 2 lets the first claim take all four.
        var db = redis.Connection.GetDatabase();
        await db.HashSetAsync("{" + prefix + "}:tasks", "unreadable", new byte[] { 0xC1 });
        await db.SortedSetAddAsync("{" + prefix + "}:pending", "unreadable", 0);
        string[] good = ["good-0", "good-1", "good-2"];
        await host.Scheduler().ScheduleManyAsync(good.Select(id => ScheduleRequest.After(RunLog.Task(id, 1), TimeSpan.Zero)).ToList());
        using var metrics = new MetricWaiter(prefix);
        await host.StartAsync();

        // The unreadable entry's dead letter fails (a timeout; a READONLY reply fails the same way) ...
        var failedBatch = await store.Failed.Task.WaitAsync(Timeout);
        Assert.Equal(4, failedBatch);

        // ... and the good claims of its batch still run, once each.
        var keeper = host.Services.GetRequiredService<LeaseKeeper>();
        var ran = Task.WhenAll(good.Select(id => log.Succeeded(id, 1)));
        await Task.WhenAny(ran);
        Assert.True(ran.IsCompletedSuccessfully, $"the good claims of the batch did not run within 30 s; the worker still holds {keeper.HeldCount} claims, ran [{string.Join(", ", log.Runs.Select(r => r.TaskId))}]");

        // The unreadable entry's claim was let go: its lease expires, it is claimed again and dead-lettered then.
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, Timeout);
        await Eventually.TrueAsync(() => keeper.HeldCount == 0, Timeout, "the worker holds no claim");
        await host.StopAsync();

        Assert.Equal(good, log.Runs.Select(r => r.TaskId).Order());
        Assert.Equal(0, await db.SortedSetLengthAsync("{" + prefix + "}:inflight"));
        Assert.Equal("unreadable", (string?)(await db.SortedSetRangeByRankAsync("{" + prefix + "}:dead:index")).Single());
    }

    [Fact]
    public async Task A_slow_partition_does_not_let_the_claims_of_partitions_that_answered_before_it_expire()
    {
        // Two partitions; the first sweep asks partition 0 first. Partition 1 answers that sweep only when the test lets
        // it: a slow node (or one stalled past the lease) while partition 0's claim is already made.
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        await using var connection = await ClaimHosts.ConnectAsync(redis);
        var partitions = Enumerable.Range(0, 2)
            .Select(p => new RedisScheduleStore(new RedisSchedule(connection, TaskPartitioner.PartitionPrefix(prefix, p))))
            .ToArray();
        var slow = new SlowClaimOnce(partitions[1]);
        var store = new PartitionedScheduleStore([partitions[0], slow]);
        using var host = ClaimHosts.Start(connection, prefix, log, streams: false, o => o.Partitions = 2, b =>
        {
            b.Services.RemoveAll<IScheduleStore>();
            b.Services.AddSingleton<IScheduleStore>(store);
        });
        var id = Enumerable.Range(0, 100).Select(i => "a-" + i).First(i => TaskPartitioner.PartitionOf(i, 2) == 0);
        await host.Scheduler().ScheduleAsync(RunLog.Task(id, 1), TimeSpan.Zero);
        await host.StartAsync();

        await slow.Held.Task.WaitAsync(Timeout);
        var db = redis.Connection.GetDatabase(); // the test's own calls wait for replies as long as they need
        var inflight = "{" + TaskPartitioner.PartitionPrefix(prefix, 0) + "}:inflight";
        var firstDeadline = (long)((await db.SortedSetScoreAsync(inflight, id)) ?? throw new InvalidOperationException("partition 0's claim is not in flight"));

        // Wait, on the server's clock, until the lease partition 0 gave that claim has run out: only a renewal keeps it now.
        await Eventually.TrueAsync(async () => await RedisMillisecondsAsync(db) > firstDeadline + 100, Timeout, "the first lease of the claim ran out");
        var rival = await new RedisScheduleStore(new RedisSchedule(redis.Connection, TaskPartitioner.PartitionPrefix(prefix, 0))).ClaimAsync(10, TimeSpan.FromSeconds(30), default);
        slow.Answer.TrySetResult();

        Assert.True(rival.Tasks.Count == 0, $"another worker claimed {id} while the sweep that claimed it waited for a slow partition: its lease was not renewed");
        await log.Succeeded(id, 1);
        var keeper = host.Services.GetRequiredService<LeaseKeeper>();
        await Eventually.TrueAsync(() => keeper.HeldCount == 0, Timeout, "the worker holds no claim");
        await host.StopAsync();
        Assert.Single(log.Runs);
        Assert.Equal(0, await db.SortedSetLengthAsync(inflight));
    }

    /// <summary>The server's clock, in Unix milliseconds.</summary>
    private static async Task<long> RedisMillisecondsAsync(IDatabase db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        return ((long)time[0] * 1000) + ((long)time[1] / 1000);
    }

    /// <summary>The first dead letter fails as a reply that never came would; the others go through.</summary>
    private sealed class FirstDeadLetterFails(IScheduleStore inner) : ForwardingStore(inner)
    {
        private int _lastBatch;

        /// <summary>Completes with the size of the claim batch the failed dead letter belonged to.</summary>
        public TaskCompletionSource<int> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
        {
            var batch = await base.ClaimAsync(maxCount, lease, cancellationToken);
            if (batch.Tasks.Count > 0)
            {
                Volatile.Write(ref _lastBatch, batch.Tasks.Count);
            }

            return batch;
        }

        public override Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
            Failed.TrySetResult(Volatile.Read(ref _lastBatch))
                ? Task.FromException<bool>(new SchedulerUnavailableException("The store is unavailable.", new TimeoutException("no reply within the connection timeout")))
                : base.DeadLetterAsync(claim, record, cancellationToken);
    }

    /// <summary>A partition whose first claim answers only when the test lets it (the first sweep asked partition 0 before it).</summary>
    private sealed class SlowClaimOnce(IScheduleStore inner) : ForwardingStore(inner)
    {
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
        {
            var batch = await base.ClaimAsync(maxCount, lease, cancellationToken);
            if (Held.TrySetResult())
            {
                await Answer.Task.WaitAsync(cancellationToken);
            }

            return batch;
        }
    }
}
