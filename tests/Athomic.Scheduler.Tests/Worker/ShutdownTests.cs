using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

[Collection(RedisCollection.Name)]
public sealed class ShutdownTests(RedisFixture redis)
{
    [Fact]
    public async Task Graceful_stop_hands_back_queued_and_unfinished_tasks_at_once()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var metrics = new MetricWaiter(prefix);
        using var host = Hosts.Redis(redis.Connection, prefix, registry, o =>
        {
            o.Execution.MaxConcurrency = 1; // one running, one queued (the prefetch); the third is not claimed at all
            o.Worker.BatchSize = 10;
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, 3).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Slow, default, "slow-" + i), TimeSpan.Zero)).ToList());
        await metrics.WhenAsync(SchedulerMetrics.Claimed, 2, TimeSpan.FromSeconds(30));

        using var shutdownTimeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await host.StopAsync(shutdownTimeout.Token);

        // The running handler is cancelled when the shutdown timeout fires; its hand-back follows at once.
        await metrics.WhenAsync(SchedulerMetrics.Released, 2, TimeSpan.FromSeconds(10));
        Assert.Equal(0, registry.TotalRuns);
        Assert.Equal(2, metrics.Total(SchedulerMetrics.Claimed));
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Completed));
        for (var i = 0; i < 3; i++)
        {
            var info = await scheduler.GetAsync("slow-" + i);
            Assert.Equal(ScheduledTaskState.Pending, info!.State);
            Assert.True(info.Task.DueAt <= DateTimeOffset.UtcNow, "a handed-back task is due at once");
        }
    }

    [Fact]
    public async Task Services_stopped_concurrently_keep_the_lease_of_a_run_that_is_still_going()
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        await using var connection = await ClaimHosts.ConnectAsync(redis);
        var store = new WatchedClaims(new RedisScheduleStore(new RedisSchedule(connection, prefix)), "long");
        using var host = ClaimHosts.Start(connection, prefix, log, streams: false, customize: b =>
        {
            b.Services.Configure<HostOptions>(o => o.ServicesStopConcurrently = true);
            b.Services.RemoveAll<IScheduleStore>();
            b.Services.AddSingleton<IScheduleStore>(store);
        });
        await host.StartAsync();
        await host.Scheduler().ScheduleAsync(RunLog.Task("long", 1, gated: true), TimeSpan.Zero);
        await log.Started("long", 1);

        // The host stops every service at once while the run goes on (its shutdown timeout is 30 s): the lease keeper
        // either hands the running task back (a second worker would run it beside this run), or keeps renewing it.
        store.Watching = true;
        var stopping = host.StopAsync();
        Task first;
        try
        {
            first = await Task.WhenAny(store.Released.Task, store.RenewedTwice.Task).WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            log.Open("long", 1);
            await stopping;
        }

        Assert.True(first == store.RenewedTwice.Task, "the lease keeper handed back the claim of a run that was still going");
        Assert.True(await store.Acked.Task, "the run's completion found its claim current");
        Assert.Single(log.Runs);
        Assert.Null(await connection.GetDatabase().SortedSetScoreAsync("{" + prefix + "}:pending", "long"));
    }

    /// <summary>Watches one task's claim: its hand-back, its renewals begun once <see cref="Watching"/> is set, and its completion.</summary>
    private sealed class WatchedClaims(IScheduleStore inner, string taskId) : ForwardingStore(inner)
    {
        private int _renewals;

        public volatile bool Watching;

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource RenewedTwice { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken)
        {
            if (Watching && claims.Any(c => c.TaskId == taskId) && Interlocked.Increment(ref _renewals) >= 2)
            {
                RenewedTwice.TrySetResult();
            }

            return base.ExtendLeasesAsync(claims, lease, cancellationToken);
        }

        public override Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken)
        {
            if (claims.Any(c => c.TaskId == taskId))
            {
                Released.TrySetResult();
            }

            return base.ReleaseAsync(claims, cancellationToken);
        }

        public override async Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken)
        {
            var acked = await base.AckAsync(claim, cancellationToken);
            if (claim.TaskId == taskId)
            {
                Acked.TrySetResult(acked);
            }

            return acked;
        }
    }
}
