using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Api;

/// <summary>What users do in their own unit tests: the in-memory store on a fake clock, no Redis.</summary>
public sealed class InMemoryHostTests
{
    [Fact]
    public async Task Advancing_a_fake_clock_makes_a_task_scheduled_days_ahead_run()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        var registry = new RecordingRegistry();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddAthomicScheduler().UseInMemoryStore().AddHandlers(registry);
        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "trial-end"), TimeSpan.FromDays(14));
        time.Advance(TimeSpan.FromDays(13));
        Assert.Equal(ScheduledTaskState.Pending, (await scheduler.GetAsync("trial-end"))!.State);

        // Advance past the due time; repeat the advance while waiting, in case the worker armed its timer just after it.
        var ran = registry.WhenDistinctRuns(1, TimeSpan.FromSeconds(30));
        while (!ran.IsCompleted)
        {
            time.Advance(TimeSpan.FromDays(1));
            await Task.WhenAny(ran, Task.Delay(TimeSpan.FromMilliseconds(100)));
        }

        await ran;
        await host.StopAsync();
        var ctx = Assert.Single(registry.Contexts);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 9, 0, 0, TimeSpan.Zero), ctx.DueAt);
    }
}
