using Athomic.Scheduler.Garnet;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// <c>UseEmbeddedGarnet(dataDirectory)</c> keeps the schedule across a restart of the application: the host and its
/// embedded server are disposed, a new host starts a new server on the same directory, and the tasks run there.
/// In the serial collection: an embedded Garnet server compiles its Lua scripts on first use, slowly on a loaded machine.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class GarnetPersistenceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "athomic-garnet-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Tasks_scheduled_before_the_app_and_its_embedded_server_stop_run_after_they_start_again_on_the_same_directory()
    {
        string[] due = ["due-now", "due-soon", "due-later"];
        int firstPort;
        using (var first = Host(new RecordingRegistry(), worker: false))
        {
            await first.StartAsync();
            firstPort = first.Services.GetRequiredService<EmbeddedGarnetServer>().Port;
            var scheduler = first.Services.GetRequiredService<IScheduler>();
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 1, 2, 3 }, "due-now"), TimeSpan.Zero);
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "due-soon"), TimeSpan.FromMilliseconds(300));
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "due-later"), TimeSpan.FromSeconds(2));
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "future"), TimeSpan.FromHours(1));
            await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "cancelled"), TimeSpan.Zero);
            Assert.True(await scheduler.CancelAsync("cancelled"));
            await first.StopAsync();
        }

        // The first host disposed its server: nothing listens on its port any more.
        Assert.False(await ListensAsync(firstPort), "the first embedded server was disposed with its host");

        var registry = new RecordingRegistry();
        using var second = Host(registry, worker: true);
        await second.StartAsync();
        await registry.WhenDistinctRuns(due.Length, Timeout);
        var scheduler2 = second.Services.GetRequiredService<IScheduler>();
        var future = await scheduler2.GetAsync("future");
        await second.StopAsync();

        Assert.Equal(due.Order(StringComparer.Ordinal), registry.Runs.Keys.Order(StringComparer.Ordinal));
        Assert.All(registry.Runs.Values, n => Assert.Equal(1, n));
        Assert.Equal(new byte[] { 1, 2, 3 }, registry.Contexts.Single(c => c.TaskId == "due-now").Payload.ToArray());
        Assert.Equal(ScheduledTaskState.Pending, future?.State);
        Assert.InRange(future!.Task.DueAt!.Value - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromHours(1));
    }

    private IHost Host(RecordingRegistry registry, bool worker)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAthomicScheduler(o =>
            {
                o.KeyPrefix = "persist";
                o.Worker.Enabled = worker;
                o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(50);
                o.Worker.MaxPollDelay = TimeSpan.FromMilliseconds(500);
            })
            .UseEmbeddedGarnet(_directory)
            .AddHandlers(registry);
        return builder.Build();
    }

    private static async Task<bool> ListensAsync(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
