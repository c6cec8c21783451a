using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Redis.Replies;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The dispatch rows (due tasks claimed per second, no broker) and the burst lateness row (10,000 tasks due at once
/// through one worker), shared by the full run and <c>--dispatch</c>, which runs only these (issue 23) and also prints
/// where their time goes: the claim script's server time, the client's decode, the lease keeper's tracking, and for
/// the burst how many claims took the 10,000 and how large they were.
/// </summary>
internal static class DispatchBench
{
    public const int ClaimBatch = 1000;

    /// <summary>Only these rows, with their cost lines (<c>--dispatch [--quick]</c>).</summary>
    public static async Task RunAsync(IConnectionMultiplexer connection, Report report, int scale, Func<string, int, bool, (IHost Host, NoOpRegistry Registry)> buildHost, Func<string, GenericTask> newTask)
    {
        var count = 200_000 / scale;
        var one = await ClaimRateAsync(connection, buildHost, newTask, count, partitions: 1, workers: 1, costs: true);
        report.Rate("dispatch (due → in flight), 1 worker", count, one.Elapsed, "one partition, batches of 1,000");
        report.Add("  dispatch, 1 worker: costs per 1,000", string.Empty, one.Costs);
        AddCpuRows(report, "dispatch, 1 worker", one);
        var three = await ClaimRateAsync(connection, buildHost, newTask, count, partitions: 1, workers: 3, costs: true);
        report.Rate("dispatch, 3 workers", count, three.Elapsed, "one partition");
        report.Add("  dispatch, 3 workers: costs per 1,000", string.Empty, three.Costs);
        AddCpuRows(report, "dispatch, 3 workers", three);
        report.Add("  client side per 1,000, apart", string.Empty, await ClientSideAsync(connection, buildHost, newTask, count / 4));

        var (host, registry) = buildHost("e2e", 1, true);
        using (host)
        {
            var scheduler = host.Services.GetRequiredService<IScheduler>();

            // Warmed as in the full run, where the burst follows the end-to-end and idle lateness rows in the same host.
            var warm = registry.Expect(20_000 / scale);
            await scheduler.ScheduleManyAsync(Enumerable.Range(0, 20_000 / scale).Select(i => ScheduleRequest.After(newTask("w" + i), TimeSpan.Zero)).ToList());
            await host.StartAsync();
            await warm;
            for (var i = 0; i < 10; i++)
            {
                var done = registry.Expect(1);
                await scheduler.ScheduleAsync(newTask("l" + i), TimeSpan.FromMilliseconds(50));
                await done;
            }

            var burst = await BurstAsync(connection, scheduler, registry, 10_000 / scale, newTask);
            report.Add("lateness burst p50 / p95 / p99", burst.Percentiles, $"({10_000 / scale:N0} tasks due at once)");
            report.Add("  burst: claims", string.Empty, burst.Costs);
            report.Add("burst: claims", burst.Claims.ToString(CultureInfo.InvariantCulture), "(claims that took tasks)");
            report.Add("burst: Redis CPU", burst.RedisCpuMs.ToString("F1", CultureInfo.InvariantCulture) + " ms", "(used_cpu_user + sys while the burst ran)");
            report.Add("burst: client CPU", burst.ClientCpuMs.ToString("F1", CultureInfo.InvariantCulture) + " ms", "(this process, while the burst ran)");
            await host.StopAsync();
        }
    }

    /// <summary>
    /// Claims <paramref name="count"/> due tasks on <paramref name="partitions"/> partitions from <paramref name="workers"/>
    /// concurrent claimers in batches of 1,000 (the store alone: no broker, no keeper).
    /// </summary>
    public static async Task<(TimeSpan Elapsed, string Costs, double RedisCpuMs, double ClientCpuMs)> ClaimRateAsync(
        IConnectionMultiplexer connection, Func<string, int, bool, (IHost Host, NoOpRegistry Registry)> buildHost, Func<string, GenericTask> newTask, int count, int partitions, int workers, bool costs = false)
    {
        var prefixes = Enumerable.Range(0, partitions).Select(p => TaskPartitioner.PartitionPrefix("bench", p)).ToArray();
        await SeedAsync(buildHost, newTask, count, partitions);

        var claimed = 0;
        var calls = 0;
        var process = Process.GetCurrentProcess();
        var (_, usec0, redisCpu0) = await ConcurrentBench.ScriptStatsAsync(connection);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var bytes0 = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            IScheduleStore store = partitions == 1
                ? new RedisScheduleStore(new RedisSchedule(connection, "bench"))
                : new PartitionedScheduleStore(prefixes.Select(p => (IScheduleStore)new RedisScheduleStore(new RedisSchedule(connection, p))).ToArray());
            while (Volatile.Read(ref claimed) < count)
            {
                var batch = await store.ClaimAsync(ClaimBatch, TimeSpan.FromMinutes(5), default);
                Interlocked.Add(ref claimed, batch.Tasks.Count);
                Interlocked.Increment(ref calls);
            }
        }));
        var elapsed = clock.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(true) - bytes0;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var (_, usec1, redisCpu1) = await ConcurrentBench.ScriptStatsAsync(connection);
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        var per1000 = 1000.0 / count;
        return (elapsed, !costs ? string.Empty : string.Create(
            CultureInfo.InvariantCulture,
            $"wall {elapsed.TotalMilliseconds * per1000:F2} ms; claim script {(usec1 - usec0) / 1000.0 * per1000:F2} ms server time ({calls} calls), Redis CPU {(redisCpu1 - redisCpu0) * 1000 * per1000:F2} ms; client CPU {cpu.TotalMilliseconds * per1000:F2} ms, {bytes * per1000 / 1024:F0} KiB allocated"),
            (redisCpu1 - redisCpu0) * 1000 * per1000,
            cpu.TotalMilliseconds * per1000);
    }

    /// <summary>
    /// The CPU rows of a dispatch row, per 1,000 tasks claimed: on this shared machine the wall-clock rate moves ±40 %
    /// between runs, the CPU each side spent much less, so a change to the claim path is judged by these.
    /// </summary>
    private static void AddCpuRows(Report report, string row, (TimeSpan Elapsed, string Costs, double RedisCpuMs, double ClientCpuMs) run)
    {
        report.Add($"{row}: Redis CPU per 1,000", run.RedisCpuMs.ToString("F2", CultureInfo.InvariantCulture) + " ms");
        report.Add($"{row}: client CPU per 1,000", run.ClientCpuMs.ToString("F2", CultureInfo.InvariantCulture) + " ms");
    }

    /// <summary><paramref name="count"/> tasks due now under the prefix "bench" (ids d0, d1, ...), through the library.</summary>
    private static async Task SeedAsync(Func<string, int, bool, (IHost Host, NoOpRegistry Registry)> buildHost, Func<string, GenericTask> newTask, int count, int partitions)
    {
        var (host, _) = buildHost("bench", partitions, false);
        using (host)
        {
            await host.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(
                Enumerable.Range(0, count).Select(i => ScheduleRequest.After(newTask("d" + i), TimeSpan.Zero)).ToList());
        }
    }

    /// <summary>
    /// The client's part of a claim, measured apart on real replies of 1,000 tasks: awaiting the reply, reading it
    /// (<see cref="ClaimReply"/>), decoding the envelopes (<see cref="LeaseOutcome.TryRead"/>) and holding the leases
    /// (<see cref="LeaseKeeper.Track"/>), as the worker's claim port does with each batch.
    /// </summary>
    private static async Task<string> ClientSideAsync(IConnectionMultiplexer connection, Func<string, int, bool, (IHost Host, NoOpRegistry Registry)> buildHost, Func<string, GenericTask> newTask, int count)
    {
        var options = Options.Create(new SchedulerOptions());
        await SeedAsync(buildHost, newTask, count, partitions: 1);
        var store = new RedisScheduleStore(new RedisSchedule(connection, "bench"));
        var keeper = new LeaseKeeper(store, options, TimeProvider.System, NullLogger<LeaseKeeper>.Instance);
        TimeSpan call = default, read = default, decode = default, track = default;
        var tasks = 0;
        while (tasks < count)
        {
            var t0 = Stopwatch.GetTimestamp();
            var reply = await store.ClaimReplyAsync(ClaimBatch, TimeSpan.FromMinutes(5));
            var t1 = Stopwatch.GetTimestamp();
            var batch = ClaimReply.Read(reply);
            var t2 = Stopwatch.GetTimestamp();
            var decoded = new List<(GenericTask Task, long Token)>(batch.Tasks.Count);
            foreach (var entry in batch.Tasks)
            {
                if (LeaseOutcome.TryRead(entry.TaskId, entry.Envelope, UnixTime.TryFromMilliseconds(entry.DueMilliseconds), out var task, out _))
                {
                    decoded.Add((task, entry.Token));
                }
            }

            var t3 = Stopwatch.GetTimestamp();
            var held = new List<TaskLease>(decoded.Count);
            foreach (var (task, token) in decoded)
            {
                held.Add(keeper.Track(task, token));
            }

            var t4 = Stopwatch.GetTimestamp();
            keeper.Drop(held);
            (call, read, decode, track) = (call + Stopwatch.GetElapsedTime(t0, t1), read + Stopwatch.GetElapsedTime(t1, t2), decode + Stopwatch.GetElapsedTime(t2, t3), track + Stopwatch.GetElapsedTime(t3, t4));
            tasks += batch.Tasks.Count;
        }

        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        var per1000 = 1000.0 / tasks;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"script call awaited {call.TotalMilliseconds * per1000:F2} ms, reply read (ClaimReply) {read.TotalMilliseconds * per1000:F2} ms, envelopes decoded {decode.TotalMilliseconds * per1000:F2} ms, keeper tracking {track.TotalMilliseconds * per1000:F2} ms");
    }

    /// <summary>
    /// <paramref name="count"/> tasks due at the same moment, one second ahead, run by the started worker of
    /// <paramref name="registry"/>: their lateness (sorted) and how the worker's claims took them.
    /// </summary>
    public static async Task<(List<double> Sorted, string Percentiles, string Costs, int Claims, double RedisCpuMs, double ClientCpuMs)> BurstAsync(
        IConnectionMultiplexer connection, IScheduler scheduler, NoOpRegistry registry, int count, Func<string, GenericTask> newTask)
    {
        var claims = new List<(long Size, long At)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SchedulerMetrics.MeterName && instrument.Name == SchedulerMetrics.Claimed)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, size, _, _) =>
        {
            lock (claims)
            {
                claims.Add((size, Stopwatch.GetTimestamp()));
            }
        });
        listener.Start();

        var done = registry.Expect(count);
        var at = DateTimeOffset.UtcNow.AddSeconds(1);
        await scheduler.ScheduleManyAsync(Enumerable.Range(0, count).Select(i => ScheduleRequest.At(newTask("u" + i), at)).ToList());
        var process = Process.GetCurrentProcess();
        var (calls0, usec0, redisCpu0) = await ConcurrentBench.ScriptStatsAsync(connection);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        claims.Clear();
        await done;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var (calls1, usec1, redisCpu1) = await ConcurrentBench.ScriptStatsAsync(connection);
        listener.Dispose();
        var sorted = registry.LatenessMs.Order().ToList();
        List<long> sizes;
        lock (claims)
        {
            sizes = claims.Select(c => c.Size).Order().ToList();
        }

        var span = claims.Count > 1 ? Stopwatch.GetElapsedTime(claims[0].At, claims[^1].At).TotalMilliseconds : 0;
        var percentiles = $"{Report.Percentile(sorted, 0.5):F1} / {Report.Percentile(sorted, 0.95):F1} / {Report.Percentile(sorted, 0.99):F1} ms";
        var costs = sizes.Count == 0 ? "none seen" : string.Create(
            CultureInfo.InvariantCulture,
            $"{sizes.Count} claims over {span:F0} ms, tasks per claim min {sizes[0]} / median {sizes[sizes.Count / 2]} / max {sizes[^1]}; {calls1 - calls0} script calls (claims + acks) meanwhile, {(usec1 - usec0) / 1000.0:F1} ms server time in them; first task {sorted[0]:F1} ms late, last {sorted[^1]:F1} ms");
        return (sorted, percentiles, costs, sizes.Count, (redisCpu1 - redisCpu0) * 1000, cpu.TotalMilliseconds);
    }
}
