using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>Tests that stop and start their own redis-server.</summary>
public sealed class WorkerResilienceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Scheduling_while_Redis_is_down_fails_with_a_clear_exception()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var host = Hosts.Redis(connection, "down", new RecordingRegistry(), o => o.Worker.Enabled = false);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await server.StopAsync();

        var ex = await Assert.ThrowsAsync<SchedulerUnavailableException>(() =>
            scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromMinutes(1)));
        Assert.Contains("unavailable", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Worker_survives_a_Redis_restart_and_goes_on()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(connection, "restart", registry);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "before"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout);

        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == StackExchange.Redis.ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        };
        await server.StopAsync();
        await server.StartProcessAsync();
        await restored.Task.WaitAsync(Timeout);

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "after"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(2, Timeout);
        await host.StopAsync();

        Assert.Equal(["after", "before"], registry.Runs.Keys.Order());
    }
}
