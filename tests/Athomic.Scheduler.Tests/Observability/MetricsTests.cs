using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>The scheduler's counters, histograms and gauges, read with a <see cref="MeterListener"/> over a real Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class MetricsTests : IDisposable
{
    private readonly RedisFixture redis;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    public MetricsTests(RedisFixture redis)
    {
        this.redis = redis;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SchedulerDiagnostics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    [Fact]
    public async Task Counters_and_histograms_count_by_handler()
    {
        var prefix = RedisFixture.NewPrefix();
        using var waiter = new MetricWaiter(prefix);
        var registry = new RecordingRegistry(failAttempts: int.MaxValue);
        using var host = Hosts.Redis(redis.Connection, prefix, registry);
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.Zero);
        await scheduler.ScheduleManyAsync([ScheduleRequest.After(new GenericTask(RecordingRegistry.Fail, default), TimeSpan.Zero)]);
        var cancelled = await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1));
        Assert.True(await scheduler.CancelAsync(cancelled));
        await host.StartAsync();
        await waiter.WhenAsync(SchedulerMetrics.DeadLettered, 1, Timeout);
        await waiter.WhenAsync(SchedulerMetrics.Completed, 1, Timeout);
        await host.StopAsync();

        Assert.Equal(2, Sum(SchedulerMetrics.Scheduled, prefix, RecordingRegistry.Record));
        Assert.Equal(1, Sum(SchedulerMetrics.Scheduled, prefix, RecordingRegistry.Fail));
        Assert.Equal(1, Sum(SchedulerMetrics.Cancelled, prefix, null));
        Assert.Equal(1, Sum(SchedulerMetrics.Completed, prefix, RecordingRegistry.Record));
        Assert.Equal(3, Sum(SchedulerMetrics.Failed, prefix, RecordingRegistry.Fail)); // maxAttempts: 3
        Assert.All(Of(SchedulerMetrics.Failed, prefix), m => Assert.Equal(typeof(InvalidOperationException).FullName, m.Tags["error.type"]));
        Assert.Equal(1, Sum(SchedulerMetrics.DeadLettered, prefix, RecordingRegistry.Fail));

        // One duration and one lateness per run (1 completed + 3 failed attempts), in seconds.
        Assert.Equal(4, Of(SchedulerMetrics.Duration, prefix).Count);
        Assert.Equal(4, Of(SchedulerMetrics.Lateness, prefix).Count);
        Assert.All(Of(SchedulerMetrics.Duration, prefix).Concat(Of(SchedulerMetrics.Lateness, prefix)), m => Assert.InRange(m.Value, 0, 30));
        var duration = GetInstrument(SchedulerMetrics.Duration);
        Assert.Equal(("s", "s"), (duration.Unit, GetInstrument(SchedulerMetrics.Lateness).Unit));
    }

    [Fact]
    public async Task Gauges_read_the_store_only_when_observed_and_at_most_once_per_refresh_interval()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new RecordingRegistry(), o =>
        {
            o.Partitions = 2;
            o.GaugeRefreshInterval = TimeSpan.FromHours(1);
        });
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var statistics = host.Services.GetRequiredService<ScheduleStatistics>();
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, 10).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, $"g{i}"), TimeSpan.FromHours(1))).ToList());
        await host.StartAsync();
        Assert.Equal(0, statistics.Reads); // nobody observed yet: nothing read

        _listener.RecordObservableInstruments(); // the first observation starts a read in the background
        await statistics.ReadAsync(TimeSpan.FromHours(1), CancellationToken.None); // the read under way
        _listener.RecordObservableInstruments();
        _listener.RecordObservableInstruments();
        await host.StopAsync();

        Assert.Equal(1, statistics.Reads);
        var pending = Of(SchedulerMetrics.Pending, prefix);
        Assert.Equal(4, pending.Count); // 2 partitions x 2 observations with a snapshot
        Assert.Equal(20, pending.Sum(m => m.Value));
        Assert.Equal([0, 1], pending.Select(m => (int)m.Tags["partition"]!).Distinct().Order());
        Assert.All(Of(SchedulerMetrics.InFlight, prefix).Concat(Of(SchedulerMetrics.DeadLetters, prefix)), m => Assert.Equal(0, m.Value));
    }

    public void Dispose() => _listener.Dispose();

    private Instrument GetInstrument(string name)
    {
        Instrument? found = null;
        using var probe = new MeterListener { InstrumentPublished = (i, _) => found = i.Name == name ? i : found };
        probe.Start();
        return found!;
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var map = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, map));
    }

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string instrument, string schedule) =>
        _measurements.Where(m => m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("schedule"), schedule)).ToList();

    private double Sum(string instrument, string schedule, string? handler) =>
        Of(instrument, schedule).Where(m => handler is null || Equals(m.Tags.GetValueOrDefault("handler"), handler)).Sum(m => m.Value);
}
