using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Worker;

/// <summary>A step of the worker or of the host's start-up that fails with a server error stops nothing else.</summary>
[Collection(RedisCollection.Name)]
public sealed class PartialFailureTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_recurring_step_that_fails_does_not_stop_the_claims()
    {
        // A real server error on the recurring index only: WRONGTYPE from recurring_due.lua at every look.
        var prefix = RedisFixture.NewPrefix();
        await redis.Connection.GetDatabase().StringSetAsync("{" + prefix + "}:recurring:due", "not a sorted set");
        var registry = new RecordingRegistry();
        var logs = new LogCapture();
        using var host = Hosts.Redis(redis.Connection, prefix, registry, customize: b => b.Logging.AddProvider(logs));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        for (var i = 0; i < 5; i++)
        {
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "t" + i), TimeSpan.Zero);
        }

        await registry.WhenDistinctRuns(5, Timeout);
        var failure = await logs.WhenLogged(e => e.Exception is RedisServerException ex && ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal), Timeout);
        await host.StopAsync();
        Assert.Equal(LogLevel.Warning, failure.Level);
    }

    [Fact]
    public async Task The_host_starts_while_the_store_answers_OOM_and_stores_its_static_schedule_once_it_clears()
    {
        await using var server = await RedisServer.StartAsync("--maxmemory-policy", "noeviction");
        await using var connection = await server.ConnectAsync(admin: true);
        var db = connection.GetDatabase();
        await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        var registry = new RecordingRegistry(recordRecurring: new StaticRecurringSchedule("tick", RecurringSchedule.Every(TimeSpan.FromSeconds(1))));
        var logs = new LogCapture();
        using var host = Hosts.Redis(connection, "oom", registry, customize: b => b.Logging.AddProvider(logs));
        await host.StartAsync();

        // The registrar's first attempt failed (on the old code, the host logged its BackgroundService as failed).
        await logs.WhenLogged(e => e.Exception?.ToString().Contains("OOM", StringComparison.Ordinal) == true
            && (e.Category.Contains(nameof(global::Athomic.Scheduler.Recurring.StaticScheduleRegistrar), StringComparison.Ordinal) || e.Category.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal)), Timeout);
        await db.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");

        await registry.WhenDistinctRuns(2, Timeout);
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host was not stopped");
        await host.StopAsync();
        Assert.All(registry.Runs.Keys, id => Assert.StartsWith("tick@", id, StringComparison.Ordinal));
    }
}
