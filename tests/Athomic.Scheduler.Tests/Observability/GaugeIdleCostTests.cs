using System.Diagnostics.Metrics;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Worker;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>
/// An idle worker whose gauges are observed ten times a second (far more often than any exporter) still sends at most
/// one command per second: the counts are read once per <c>GaugeRefreshInterval</c>. On its own redis-server, so
/// nothing else is counted.
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class GaugeIdleCostTests(ITestOutputHelper output)
{
    private static readonly HashSet<string> InsideScripts = ["info", "time", "zrange", "zcard", "hlen", "zrangebyscore", "hget"];

    [Fact]
    public async Task Idle_worker_with_observed_gauges_sends_at_most_one_command_per_second()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        await using var probe = await server.ConnectAsync(admin: true);
        using var host = Hosts.Redis(connection, "idlegauges", new RecordingRegistry(), o =>
        {
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(1);
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(30);
            o.GaugeRefreshInterval = TimeSpan.FromSeconds(4); // shorter than the default 15 s
        });
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == SchedulerDiagnostics.MeterName)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        var observed = 0L;
        listener.SetMeasurementEventCallback<long>((i, _, _, _) =>
        {
            if (i.Name == SchedulerMetrics.Pending)
            {
                Interlocked.Increment(ref observed);
            }
        });
        listener.Start();
        await host.StartAsync();
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        await Eventually.TrueAsync(() => worker.PollCount >= 2, TimeSpan.FromSeconds(30), "the worker polled twice");

        using var observing = new CancellationTokenSource();
        // A scraper that reads the gauges every 100 ms: the load whose Redis cost is measured, not a wait.
        var observer = Task.Run(async () =>
        {
            using var scrape = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            do
            {
                listener.RecordObservableInstruments();
            }
            while (await scrape.WaitForNextTickAsync(CancellationToken.None) && !observing.IsCancellationRequested);
        });
        var window = TimeSpan.FromSeconds(8);
        var delta = await CommandStats.SentDuringAsync(probe.GetServer(probe.GetEndPoints()[0]), InsideScripts, window);
        await observing.CancelAsync();
        await observer;
        await host.StopAsync();

        var perSecond = delta.Values.Sum() / window.TotalSeconds;
        output.WriteLine($"idle worker, gauges observed every 100 ms: {delta.Values.Sum()} commands in {window.TotalSeconds} s = {perSecond:F2}/s ("
            + string.Join(", ", delta.Where(d => d.Value != 0).Select(d => $"{d.Key} {d.Value}")) + $"); {Interlocked.Read(ref observed)} observations");
        Assert.True(Interlocked.Read(ref observed) > 0, "the gauges were observed");
        Assert.InRange(perSecond, 0, 1.0);
    }
}
