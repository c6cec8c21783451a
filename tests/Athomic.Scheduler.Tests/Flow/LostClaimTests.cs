using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// A run whose claim was lost (issue 20), on both brokers: when the keeper's renewal finds that another worker holds the
/// task now, the run's token is cancelled, and the run ends without a retry or a dead letter; the task runs again
/// under the newer claim.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LostClaimTests(RedisFixture redis)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_whose_claim_was_lost_has_its_token_cancelled_and_neither_retries_nor_dead_letters(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var probe = new FlowProbe();
        var logs = new LogCapture();
        using var metrics = new MetricWaiter(prefix);
        // 2 s leases, renewed every 667 ms; 1 s timeouts, so a first call on a busy machine does not time out.
        await using var connection = await ClaimHosts.ConnectAsync(redis, timeoutMilliseconds: 1000);
        using var host = ClaimHosts.Start(connection, prefix, probe, streams, Lease, b => b.Logging.AddProvider(logs));
        await host.StartAsync();

        await host.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.Stalls, default, "stalled"), TimeSpan.Zero);
        var stale = probe.Run(1);
        Assert.Equal(1, await stale.Started());
        await ClaimState.StealAsync(redis.Connection.GetDatabase(), prefix, "stalled", streams);
        await stale.TokenCancelled(); // by the keeper's next renewal, not by a Timeout (the handler has none) nor the stop
        Assert.Equal(nameof(TaskCanceledException), await stale.Ended());
        var warning = await logs.WhenLogged(e => e.EventId.Id == 15, Limit);

        // The stolen claim is never renewed: once its lease runs out, the task is claimed again and runs as the same
        // attempt (a retry by the stale run would have made it attempt 2).
        var rerun = probe.Run(2);
        Assert.Equal(1, await rerun.Started());
        Assert.Equal("returned", await rerun.Ended());
        await metrics.WhenAsync(SchedulerMetrics.Completed, 1, Limit);
        await host.StopAsync();

        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Task stalled (flow.stalls), attempt 1: this process's claim was lost", warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, probe.Started);
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Failed));
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Retried));
        Assert.Equal(0, metrics.Total(SchedulerMetrics.DeadLettered));
    }

    private static void Lease(SchedulerOptions options) =>
        options.Worker.LeaseDuration = options.Streams.VisibilityTimeout = TimeSpan.FromSeconds(2);
}
