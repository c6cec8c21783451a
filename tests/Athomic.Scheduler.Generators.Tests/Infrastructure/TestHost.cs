using Athomic.Scheduler.Generators.TestLibrary;
using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>A started host with the in-memory store on a fake clock: the real worker, broker and DI scopes.</summary>
internal sealed class TestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private TestHost(IHost host, FakeTimeProvider time, LibraryProbe probe)
    {
        Host = host;
        Time = time;
        Probe = probe;
    }

    public IHost Host { get; }

    public FakeTimeProvider Time { get; }

    public LibraryProbe Probe { get; }

    public IScheduler Scheduler => Host.Services.GetRequiredService<IScheduler>();

    public static IHost Build(Action<SchedulerBuilder> handlers, out FakeTimeProvider time, out LibraryProbe probe)
    {
        time = new FakeTimeProvider(Start);
        probe = new LibraryProbe();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<ILibraryProbe>(probe);
        builder.Services.AddScoped<Handlers.OrderLog>();
        // AdvanceUntil moves the clock a minute per 20 ms of real time: a recurring pump held up by a busy machine for
        // more than the default one-minute misfire threshold would step over the occurrence a test awaits (RunOnce
        // runs the latest missed one). These tests are about generated code, not misfires.
        handlers(builder.Services.AddAthomicScheduler(o => o.RecurringMisfireThreshold = TimeSpan.FromDays(1)).UseInMemoryStore());
        return builder.Build();
    }

    public static async Task<TestHost> StartAsync(Action<SchedulerBuilder> handlers)
    {
        var host = Build(handlers, out var time, out var probe);
        await host.StartAsync();
        return new TestHost(host, time, probe);
    }

    /// <summary>
    /// Advances the fake clock in steps until <paramref name="task"/> completes (the worker may arm its timer just after
    /// an advance, so one advance is not enough); fails after 30 s of real time.
    /// </summary>
    public async Task<T> AdvanceUntil<T>(Task<T> task, TimeSpan step)
    {
        var deadline = Task.Delay(TimeSpan.FromSeconds(30));
        while (!task.IsCompleted)
        {
            if (deadline.IsCompleted)
            {
                throw new TimeoutException("The handler did not run within 30 s.");
            }

            Time.Advance(step);
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(20)));
        }

        return await task;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}
