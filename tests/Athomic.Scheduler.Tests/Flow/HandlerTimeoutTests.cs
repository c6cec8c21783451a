using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// A handler's Timeout (issue 20), on both brokers (they share <see cref="TaskExecutor"/>): the run's token is
/// cancelled, the run is a failed attempt with a reason that says so (retried, then dead-lettered), and the lease is
/// held until the handler really returns.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HandlerTimeoutTests(RedisFixture redis)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_past_its_Timeout_has_its_token_cancelled_and_is_retried_then_dead_lettered_with_the_reason(bool streams)
    {
        using var flow = await FlowHost.StartAsync(redis, streams);
        var (probe, metrics, host) = (flow.Probe, flow.Metrics, flow.Host);

        await host.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.AwaitsToken, new byte[] { 7 }, "slow"), TimeSpan.Zero);
        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, Limit);
        var letter = await host.Services.GetRequiredService<IDeadLetterQueue>().GetAsync("slow");
        await host.StopAsync();

        Assert.Equal(2, probe.Started);
        foreach (var (run, attempt) in new[] { (probe.Run(1), 1), (probe.Run(2), 2) })
        {
            Assert.Equal(attempt, await run.Started());
            Assert.True(run.Cancelled.Task.IsCompleted, $"the token of attempt {attempt} was cancelled");
            Assert.Equal(nameof(TaskCanceledException), await run.Ended());
        }

        Assert.NotNull(letter);
        Assert.Equal(2, letter.Attempts);
        Assert.Equal("Timed out after 0.2 s (the handler's Timeout); its token was cancelled.", letter.Reason);
        Assert.Equal(new byte[] { 7 }, letter.TryReadTask()!.Payload.ToArray());
        Assert.Equal(1, metrics.Total(SchedulerMetrics.Retried));
        Assert.Equal(["timeout", "timeout"], metrics.ErrorTypes(SchedulerMetrics.Failed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_that_ignores_its_token_keeps_its_lease_past_the_Timeout_until_it_returns_then_is_retried_and_dead_lettered(bool streams)
    {
        using var flow = await FlowHost.StartAsync(redis, streams);
        var (probe, metrics, host) = (flow.Probe, flow.Metrics, flow.Host);
        await host.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.Overruns, new byte[] { 1 }, "overrun"), TimeSpan.Zero);

        foreach (var (run, attempt) in new[] { (probe.Run(1), 1), (probe.Run(2), 2) })
        {
            Assert.Equal(attempt, await run.Started());
            await run.TokenCancelled();
            // A worker that ended the lease at the Timeout would have retried by now (the retry delay is at most 50 ms).
            await host.PolledAsync(3);
            Assert.True(await flow.InFlightAsync(), $"attempt {attempt} holds its lease while its handler overruns the Timeout");
            Assert.False(run.End.Task.IsCompleted);
            Assert.Equal(attempt, probe.Started);
            Assert.Equal(attempt - 1, metrics.Total(SchedulerMetrics.Retried));
            Assert.Equal(0, metrics.Total(SchedulerMetrics.DeadLettered));

            run.Gate.TrySetResult();
            Assert.Equal(nameof(OperationCanceledException), await run.Ended());
        }

        await metrics.WhenAsync(SchedulerMetrics.DeadLettered, 1, Limit);
        var letter = await host.Services.GetRequiredService<IDeadLetterQueue>().GetAsync("overrun");
        var inFlight = await flow.InFlightAsync();
        await host.StopAsync();

        Assert.Equal(2, letter!.Attempts);
        Assert.StartsWith("Timed out after 0.2 s", letter.Reason, StringComparison.Ordinal);
        Assert.Equal(1, metrics.Total(SchedulerMetrics.Retried));
        Assert.False(inFlight);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_that_returns_after_its_Timeout_fired_succeeds(bool streams)
    {
        using var flow = await FlowHost.StartAsync(redis, streams);
        var (probe, metrics, host) = (flow.Probe, flow.Metrics, flow.Host);

        await host.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.Overruns, new byte[] { 0 }, "late"), TimeSpan.Zero);
        await probe.Run(1).TokenCancelled();
        probe.Run(1).Gate.TrySetResult();
        await metrics.WhenAsync(SchedulerMetrics.Completed, 1, Limit);
        await host.StopAsync();

        Assert.Equal("returned", await probe.Run(1).Ended());
        Assert.Equal(1, probe.Started);
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Failed));
        Assert.Equal(0, metrics.Total(SchedulerMetrics.Retried));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task A_Timeout_that_is_not_positive_stops_the_host_start(int milliseconds)
    {
        var registry = new Registry(new ScheduledHandlerDescriptor("flow.bad", "Tests.Flow.Bad", null, (_, _, _) => ValueTask.CompletedTask)
        {
            Flow = new HandlerFlowSpec { Timeout = TimeSpan.FromMilliseconds(milliseconds) },
        });
        using var host = Hosts.Redis(redis.Connection, RedisFixture.NewPrefix(), registry);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("Timeout of scheduled handler 'flow.bad' (Tests.Flow.Bad)", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be positive", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A started host on the fixture's connection that runs <see cref="FlowProbe"/>, and the metrics of its schedule.</summary>
    private sealed class FlowHost : IDisposable
    {
        private readonly RedisFixture _redis;
        private readonly string _prefix = RedisFixture.NewPrefix();
        private readonly bool _streams;

        private FlowHost(RedisFixture redis, bool streams)
        {
            (_redis, _streams) = (redis, streams);
            Metrics = new MetricWaiter(_prefix);
            Host = Hosts.Redis(redis.Connection, _prefix, Probe, streams: streams);
        }

        public FlowProbe Probe { get; } = new();

        public MetricWaiter Metrics { get; }

        public IHost Host { get; }

        public static async Task<FlowHost> StartAsync(RedisFixture redis, bool streams)
        {
            var flow = new FlowHost(redis, streams);
            await flow.Host.StartAsync();
            return flow;
        }

        public Task<bool> InFlightAsync() => ClaimState.InFlightAsync(_redis.Connection.GetDatabase(), _prefix, _streams);

        public void Dispose()
        {
            Host.Dispose();
            Metrics.Dispose();
        }
    }

    private sealed class Registry(params ScheduledHandlerDescriptor[] handlers) : IScheduledHandlerRegistry
    {
        public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; } = handlers;
    }
}
