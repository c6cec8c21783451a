using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>
/// Every claim of a batch is held from the moment the store handed it over until it ends, whatever else in the batch
/// fails: a failed dead letter does not strand the good claims beside it.
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
        var db = connection.GetDatabase();
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
}
