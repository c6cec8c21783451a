using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// Flow control's rows (issue 20), in the same run as the others: a per-key limit over 1,000 keys against the same
/// handler unlimited, the rate limiter's accuracy, Redis memory per slot and per rate entry, and the idle cost of a
/// worker whose handlers declare limits.
/// </summary>
internal static class FlowBench
{
    public static async Task RunAsync(IConnectionMultiplexer connection, Report report, int scale, Func<Task<long>> commands, Func<Task<long>> usedMemory)
    {
        // 1. The same no-op handler, unlimited and with MaxConcurrencyPerKey = 1 over 1,000 keys, end to end.
        var count = 50_000 / scale;
        var free = await RunAllAsync(connection, "flow.free", FlowBenchRegistry.Free, count, keys: 1_000);
        var keyed = await RunAllAsync(connection, "flow.keyed", FlowBenchRegistry.Keyed, count, keys: 1_000);
        report.Rate("end to end, no limit (same handler)", count, free, "1 worker, MaxConcurrency 64");
        report.Rate("end to end, MaxConcurrencyPerKey = 1, 1,000 keys", count, keyed, $"= {free.TotalSeconds / keyed.TotalSeconds:P0} of unlimited");

        // 2. Rate limit accuracy: 1,000 starts per second configured, 4 s of due tasks.
        var rated = 4_000 / Math.Min(scale, 4);
        var starts = await RunRatedAsync(connection, rated);
        var maxInWindow = 0;
        for (int i = 0, j = 0; i < starts.Count; i++)
        {
            while (starts[i] - starts[j] >= TimeSpan.FromSeconds(1))
            {
                j++;
            }

            maxInWindow = Math.Max(maxInWindow, i - j + 1);
        }

        // n windows admit n × 1,000 starts: the sustained rate is the starts over the span they needed, plus one window.
        var sustained = starts.Count / ((starts[^1] - starts[0]).TotalSeconds + 1);
        report.Add("RateLimit 1,000 / 1 s: most starts in any 1 s", maxInWindow.ToString("N0", CultureInfo.InvariantCulture), $"(limit 1,000; starts as the handlers saw them, {starts.Count:N0} in all)");
        report.Add("RateLimit 1,000 / 1 s: sustained rate", sustained.ToString("N0", CultureInfo.InvariantCulture) + " /s", $"= {sustained / 1000:P1} of the configured rate");

        // 3. Memory: 10,000 live slots of one handler, and 10,000 starts in one rate window.
        var flow = new RedisFlowStore(connection, "flowmem");
        var slotSpec = new HandlerFlowSpec { MaxConcurrency = int.MaxValue };
        var rateSpec = new HandlerFlowSpec { RateLimit = int.MaxValue, RateLimitWindow = TimeSpan.FromHours(1) };
        const int entries = 10_000;
        var m0 = await usedMemory();
        for (var i = 0; i < entries; i += 500)
        {
            await flow.AcquireAsync([.. Enumerable.Range(i, 500).Select(k => new Flow.FlowRequest("mem.slots", null, "0|t" + k + "|" + k, slotSpec))], TimeSpan.FromHours(1), default);
        }

        var m1 = await usedMemory();
        for (var i = 0; i < entries; i += 500)
        {
            await flow.AcquireAsync([.. Enumerable.Range(i, 500).Select(k => new Flow.FlowRequest("mem.rate", null, "0|t" + k + "|" + k, rateSpec))], TimeSpan.FromHours(1), default);
        }

        var m2 = await usedMemory();
        report.Add("Redis memory per slot", ((m1 - m0) / (double)entries).ToString("F0", CultureInfo.InvariantCulture) + " B", $"({entries:N0} live slots of one handler; member partition|id|token)");
        report.Add("Redis memory per rate-window start", ((m2 - m1) / (double)entries).ToString("F0", CultureInfo.InvariantCulture) + " B", "(a limiter holds one per start in its window)");

        // 4. Idle cost: commands per second of an idle worker, without and with limits declared, side by side.
        foreach (var limited in new[] { false, true })
        {
            using var idle = Build(connection, limited ? "flow.idle" : "flow.idle0", workerEnabled: true, limited);
            await idle.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(8)); // let the backoff settle
            var window = TimeSpan.FromSeconds(scale > 1 ? 5 : 20);
            var c0 = await commands();
            var s0 = await CommandStatsAsync(connection);
            await Task.Delay(window);
            var c1 = await commands();
            var s1 = await CommandStatsAsync(connection);
            var busiest = string.Join(", ", s1.Select(kv => (kv.Key, Delta: kv.Value - s0.GetValueOrDefault(kv.Key))).Where(x => x.Delta > 0).OrderByDescending(x => x.Delta).Take(4).Select(x => $"{x.Key} {x.Delta}"));
            report.Add(limited ? "idle worker commands, limits declared" : "idle worker commands, no limits", ((c1 - c0) / window.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture) + " /s", $"({c1 - c0} in {window.TotalSeconds:F0} s; {busiest})");
            await idle.StopAsync();
        }
    }

    private static async Task<Dictionary<string, long>> CommandStatsAsync(IConnectionMultiplexer connection)
    {
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("commandstats");
        return info.SelectMany(g => g).ToDictionary(
            p => p.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal),
            p => long.Parse(p.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture));
    }

    private static async Task<TimeSpan> RunAllAsync(IConnectionMultiplexer connection, string prefix, string handler, int count, int keys)
    {
        using var host = Build(connection, prefix, workerEnabled: true);
        var registry = host.Services.GetServices<IScheduledHandlerRegistry>().OfType<FlowBenchRegistry>().Single();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(handler, FlowBenchRegistry.Key(i % keys), prefix + i), TimeSpan.Zero))]);
        var done = registry.Expect(count);
        var sw = Stopwatch.StartNew();
        await host.StartAsync();
        await done;
        var elapsed = sw.Elapsed;
        await host.StopAsync();
        return elapsed;
    }

    private static async Task<List<DateTimeOffset>> RunRatedAsync(IConnectionMultiplexer connection, int count)
    {
        using var host = Build(connection, "flow.rated", workerEnabled: true);
        var registry = host.Services.GetServices<IScheduledHandlerRegistry>().OfType<FlowBenchRegistry>().Single();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(FlowBenchRegistry.Rated, FlowBenchRegistry.Key(i), "r" + i), TimeSpan.Zero))]);
        var done = registry.Expect(count);
        await host.StartAsync();
        await done;
        await host.StopAsync();
        return [.. registry.Starts.Order()];
    }

    private static IHost Build(IConnectionMultiplexer connection, string prefix, bool workerEnabled, bool limited = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAthomicScheduler(o =>
        {
            o.KeyPrefix = prefix;
            o.Worker.Enabled = workerEnabled;
            o.Worker.BatchSize = 1000;
            o.Execution.MaxConcurrency = 64;
        }).UseRedis(_ => connection).AddHandlers(new FlowBenchRegistry(limited));
        return builder.Build();
    }
}

/// <summary>No-op handlers: one unlimited, one per key (the key is the payload's first 4 bytes), one rate-limited.</summary>
internal sealed class FlowBenchRegistry : IScheduledHandlerRegistry
{
    public const string Free = "bench.free", Keyed = "bench.keyed", Rated = "bench.rated";
    private readonly object _gate = new();
    private int _count;
    private int _target = int.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FlowBenchRegistry(bool limited = true)
    {
        Handlers = !limited ? [new ScheduledHandlerDescriptor(Free, "Bench.Free", null, Run)] :
        [
            new ScheduledHandlerDescriptor(Free, "Bench.Free", null, Run),
            new ScheduledHandlerDescriptor(Keyed, "Bench.Keyed", null, Run)
            {
                Flow = new HandlerFlowSpec { MaxConcurrencyPerKey = 1, KeySelector = p => BinaryPrimitives.ReadInt32LittleEndian(p.Span).ToString(CultureInfo.InvariantCulture) },
            },
            new ScheduledHandlerDescriptor(Rated, "Bench.Rated", null, Run)
            {
                Flow = new HandlerFlowSpec { RateLimit = 1000, RateLimitWindow = TimeSpan.FromSeconds(1) },
            },
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    public List<DateTimeOffset> Starts { get; } = [];

    public static byte[] Key(int key)
    {
        var bytes = new byte[28];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, key);
        return bytes;
    }

    public Task Expect(int count)
    {
        lock (_gate)
        {
            _count = 0;
            _target = count;
            Starts.Clear();
            _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _done.Task;
        }
    }

    private ValueTask Run(TaskContext ctx, IServiceProvider services, CancellationToken ct)
    {
        lock (_gate)
        {
            Starts.Add(ctx.StartedAt);
            if (++_count >= _target)
            {
                _done.TrySetResult();
            }
        }

        return ValueTask.CompletedTask;
    }
}
