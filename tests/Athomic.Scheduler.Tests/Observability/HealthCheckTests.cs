using Athomic.Scheduler.Health;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary><c>AddAthomicSchedulerHealthChecks()</c> against a redis-server of its own, which a test stops and starts again.</summary>
public sealed class HealthCheckTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Redis_check_turns_unhealthy_when_redis_server_stops_and_healthy_when_it_is_back()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = HostWithChecks(connection, RedisFixture.NewPrefix(), new RecordingRegistry());
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var heartbeat = host.Services.GetRequiredService<WorkerHeartbeat>();
        await Eventually.TrueAsync(() => heartbeat.LastPollAt is not null, Timeout, "the worker loop started (ExecuteAsync runs on the thread pool)");

        var before = await health.CheckHealthAsync();
        Assert.All(before.Entries, e => Assert.True(e.Value.Status == HealthStatus.Healthy, $"{e.Key}: {e.Value.Status} {e.Value.Description}"));
        Assert.Equal(
            ["athomic-scheduler-dead-letters", "athomic-scheduler-lateness", "athomic-scheduler-redis", "athomic-scheduler-worker"],
            before.Entries.Keys.Order(StringComparer.Ordinal));

        await server.StopAsync();
        var down = await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-redis");
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains("cannot be reached", down.Entries["athomic-scheduler-redis"].Description);

        await server.StartProcessAsync(); // same port
        await Eventually.TrueAsync(
            async () => (await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-redis")).Status == HealthStatus.Healthy,
            Timeout,
            "the redis check is healthy once redis-server is back");
        await host.StopAsync();
    }

    [Fact]
    public async Task Lateness_of_due_tasks_above_the_threshold_is_degraded()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = HostWithChecks(connection, RedisFixture.NewPrefix(), new RecordingRegistry(), workerEnabled: false);
        var health = host.Services.GetRequiredService<HealthCheckService>();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1)); // not due: not late
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-lateness")).Status);

        await scheduler.ScheduleAtAsync(new GenericTask(RecordingRegistry.Record, default), DateTimeOffset.UtcNow.AddMinutes(-1)); // due, no worker runs it

        var late = await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-lateness");
        Assert.Equal(HealthStatus.Degraded, late.Status);
        Assert.InRange((double)late.Entries["athomic-scheduler-lateness"].Data["lateness_seconds"], 59, 120);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-worker")).Status); // no worker here: nothing to watch
    }

    [Fact]
    public async Task Dead_letters_growing_is_degraded()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var prefix = RedisFixture.NewPrefix();
        using var waiter = new MetricWaiter(prefix);
        using var host = HostWithChecks(connection, prefix, new RecordingRegistry());
        await host.StartAsync();
        var health = host.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-dead-letters")).Status);

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Fail, default), TimeSpan.Zero);
        await waiter.WhenAsync(SchedulerMetrics.DeadLettered, 1, Timeout);

        var report = await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-dead-letters");
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(1L, report.Entries["athomic-scheduler-dead-letters"].Data["dead_letters"]);
        await host.StopAsync();
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(r => r.Name == "athomic-scheduler-worker")).Status); // the loop stopped
    }

    [Fact]
    public async Task Worker_check_is_unhealthy_when_the_loop_has_not_polled_within_its_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var heartbeat = new WorkerHeartbeat(time);
        var options = new SchedulerHealthCheckOptions { WorkerPollTimeout = TimeSpan.FromSeconds(10) };
        var check = new SchedulerHealthCheck(
            SchedulerHealthCheck.Check.Worker, new ScheduleStatistics("s", [], time), heartbeat, options, new SchedulerOptions(), time);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("w", check, HealthStatus.Unhealthy, null) };

        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context)).Status); // not started
        heartbeat.SetRunning(true);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        time.Advance(TimeSpan.FromSeconds(2));
        var stalled = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Unhealthy, stalled.Status);
        Assert.Contains("has not polled for 11 s", stalled.Description);
        heartbeat.Beat();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        Assert.Equal(TimeSpan.FromSeconds(60), SchedulerHealthCheck.PollTimeout(new SchedulerHealthCheckOptions(), new SchedulerOptions())); // 2 x MaxPollDelay
    }

    [Fact]
    public async Task Invalid_thresholds_fail_the_start()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = HostWithChecks(connection, RedisFixture.NewPrefix(), new RecordingRegistry(), configure: o => o.LatenessThreshold = TimeSpan.Zero);

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("LatenessThreshold", ex.Message);
    }

    private static IHost HostWithChecks(
        IConnectionMultiplexer connection, string prefix, RecordingRegistry registry, bool workerEnabled = true, Action<SchedulerHealthCheckOptions>? configure = null) =>
        Hosts.Redis(connection, prefix, registry, o => o.Worker.Enabled = workerEnabled, customize: b => b.Services.AddHealthChecks().AddAthomicSchedulerHealthChecks(o =>
        {
            o.MaxSnapshotAge = TimeSpan.Zero;
            o.LatenessThreshold = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        }));
}
