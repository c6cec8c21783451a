using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>
/// Rescheduling, cancelling and refusing an id while a version of it runs, on both brokers: the new version is held
/// back until the run ends, never runs beside it, replaces its retry, and the old run's completion never touches it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RescheduleDuringRunTests(RedisFixture redis)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_version_scheduled_while_its_id_runs_waits_for_the_run_and_survives_its_completion(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        var (connection, host) = await RunningAsync(prefix, log, streams, RunLog.Task("job", 1, gated: true));
        await using var _ = connection;
        using var __ = host;
        var scheduler = host.Scheduler();

        // Version 2 fails its first attempt: if version 1's ack had removed it, nothing would retry it.
        var result = await scheduler.ScheduleManyAsync([ScheduleRequest.After(RunLog.Task("job", 2, failures: 1), TimeSpan.Zero)]);
        await host.PolledAsync(3);
        var startedBeside = log.HasStarted("job", 2);
        log.Open("job", 1);
        await log.Succeeded("job", 2);
        await EmptyAsync(prefix);
        await host.StopAsync();

        Assert.Equal(ScheduleStatus.RescheduledAfterRun, Assert.Single(result).Status);
        Assert.False(startedBeside, "version 2 started while version 1 was running");
        Assert.Empty(log.Overlaps());
        Assert.Equal(
            [(1, 1, true), (2, 1, false), (2, 2, true)],
            log.Runs.OrderBy(r => r.Seq).Select(r => (r.Version, r.Attempt, r.Succeeded)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_newer_version_replaces_the_retry_of_the_run_that_failed(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog(maxAttempts: 5);
        var (connection, host) = await RunningAsync(prefix, log, streams, RunLog.Task("job", 1, failures: 5, gated: true));
        await using var _ = connection;
        using var __ = host;
        var scheduler = host.Scheduler();

        await scheduler.ScheduleAsync(RunLog.Task("job", 2), TimeSpan.Zero, "job");
        await host.PolledAsync(3); // chances to claim version 2 beside version 1
        log.Open("job", 1); // version 1 throws: its retry must not run, version 2 runs instead
        await log.Succeeded("job", 2);
        await EmptyAsync(prefix);
        await host.PolledAsync(3);
        await host.StopAsync();

        Assert.Empty(log.Overlaps());
        Assert.Equal([(1, 1, false), (2, 1, true)], log.Runs.OrderBy(r => r.Seq).Select(r => (r.Version, r.Attempt, r.Succeeded)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Cancel_during_a_run_removes_only_the_version_held_back_behind_it(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        var (connection, host) = await RunningAsync(prefix, log, streams, RunLog.Task("job", 1, gated: true));
        await using var _ = connection;
        using var __ = host;
        var scheduler = host.Scheduler();

        var nothingHeld = await scheduler.CancelAsync("job");
        await scheduler.ScheduleAsync(RunLog.Task("job", 2), TimeSpan.Zero, "job");
        await host.PolledAsync(3); // chances to claim version 2 beside version 1
        var cancelled = await scheduler.CancelAsync("job");
        var again = await scheduler.CancelAsync("job");
        log.Open("job", 1);
        await log.Succeeded("job", 1);
        await EmptyAsync(prefix);
        await host.PolledAsync(3);
        await host.StopAsync();

        Assert.False(nothingHeld, "a running version is not cancelled");
        Assert.True(cancelled, "the held-back version is cancelled");
        Assert.False(again);
        Assert.False(log.HasStarted("job", 2));
        Assert.Equal([(1, 1, true)], log.Runs.Select(r => (r.Version, r.Attempt, r.Succeeded)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Refuse_sees_a_task_that_is_running_or_queued(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        var (connection, host) = await RunningAsync(prefix, log, streams, RunLog.Task("job", 1, gated: true));
        await using var _ = connection;
        using var __ = host;
        var scheduler = host.Scheduler();

        var refused = await scheduler.ScheduleManyAsync([new ScheduleRequest(RunLog.Task("job", 2), TimeSpan.Zero, Policy: ExistingTaskPolicy.Refuse)]);
        await host.PolledAsync(3);
        log.Open("job", 1);
        await log.Succeeded("job", 1);
        await host.StopAsync();

        Assert.Equal(ScheduleStatus.AlreadyExists, Assert.Single(refused).Status);
        Assert.False(log.HasStarted("job", 2));
    }

    /// <summary>A started host on which version 1 of "job" is running.</summary>
    private async Task<(ConnectionMultiplexer Connection, IHost Host)> RunningAsync(string prefix, RunLog log, bool streams, GenericTask first)
    {
        var connection = await ClaimHosts.ConnectAsync(redis);
        var host = ClaimHosts.Start(connection, prefix, log, streams);
        await host.StartAsync();
        await host.Scheduler().ScheduleAsync(first, TimeSpan.Zero, "job");
        await log.Started("job", 1);
        return (connection, host);
    }

    /// <summary>Waits until the store holds nothing (with the streams broker, the empty stream stays: it keeps the group).</summary>
    private Task EmptyAsync(string prefix) =>
        Eventually.TrueAsync(async () => await redis.KeyCountAsync(prefix) == 0, TimeSpan.FromSeconds(10), "the store is empty");
}
