// Side-by-side measurements of the Redis store, worker and in-process broker against the raw limit of the same Lua
// layout and against Hangfire (Hangfire.Redis.StackExchange), in one run on a local redis-server that this program
// starts on a free port.
//   dotnet run -c Release --project tests/Athomic.Scheduler.Benchmarks [-- FLAGS]
//   (none)             the full run, printed as a table at the end
//   --quick            the same rows at a tenth of the sizes
//   --payloads         only the payload rows
//   --dispatch [--quick] only the dispatch rows (1 and 3 workers, one partition) and burst lateness, with where their
//                      time goes (claim script server time, reply read, envelope decode, keeper tracking; the burst's claims)
//   --idle             only the idle rows of both brokers with 1 and 8 partitions (lateness, commands per second)
//   --flow [--quick]   only flow control's rows
//   --durability [--quick] only the write concern's rows (Durability:WaitForReplicas 0 and 1, a local replica)
//   --e2e-only [n]     only end to end (n no-op tasks, default 50,000), one line: e2e <per s> cpu_us <x> alloc_b <y>
//   --peers            with the full run or --quick: BullMQ too (Peers/: npm installs the pinned bullmq into a temporary
//                      folder, a Node script runs on this run's redis-server), and a table of ours, Hangfire's and
//                      BullMQ's numbers side by side; without node or npm the rest runs and one line says why
//   --rows-tsv         with any of the above: the numbers as "name<TAB>value<TAB>unit" lines instead of the table/line
//   --generator [--handlers N] [--rounds N] [--against <ref>]
//                      the generator's cold-csc row: a generated project with N handlers (default 1,000), each with
//                      its own 3-member payload record, built once with -p:ReportAnalyzer=true and a binlog, then csc's
//                      recorded command line rerun in fresh processes; best and median of the rounds (default 3) of
//                      the generator's time; --against also builds <ref>'s generator in a temporary worktree and
//                      alternates the two in each round (GeneratorBench.cs)
//   --compare <ref> [--rounds N] [--warmup N] [--rows e2e|quick|flow|payloads|idle|dispatch|full]
//                      builds <ref> in a temporary git worktree and this working tree in Release, runs the two
//                      alternately as child processes (N rounds, default 5, after 1 uncounted warm-up run each; rows
//                      default e2e = --e2e-only 50000, the only ones a ref without --rows-tsv can give) and prints
//                      each row's mean on both sides and the change (Compare/CompareBench.cs)
using System.Diagnostics;
using System.Globalization;
using Athomic.Scheduler;
using Athomic.Scheduler.Benchmarks;
using Athomic.Scheduler.Benchmarks.Compare;
using Athomic.Scheduler.Benchmarks.Peers;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

if (args.Contains("--generator"))
{
    Environment.ExitCode = await GeneratorBench.RunAsync(args);
    return;
}

if (args.Contains("--compare"))
{
    Environment.ExitCode = await CompareBench.RunAsync(args);
    return;
}

var rowsTsv = args.Contains("--rows-tsv");
if (rowsTsv)
{
    // The numbers are read back by another process: no group separators of the user's culture in them.
    CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
}

if (Array.IndexOf(args, "--payload-first") is var first and >= 0)
{
    PayloadBench.FirstRun(args[first + 1]); // a child process of the payload rows
    return;
}

if (args.Contains("--durability"))
{
    // Only the write concern's rows: a master and a local replica of its own (the full run has them too).
    ThreadPool.SetMinThreads(64, 64);
    var durabilityReport = new Report();
    await DurabilityBench.RunAsync(durabilityReport, args.Contains("--quick") ? 10 : 1);
    durabilityReport.Print(rowsTsv);
    return;
}

if (args.Contains("--flow"))
{
    // Only flow control's rows (the full run has them too).
    await using var flowServer = await RedisServer.StartAsync();
    await using var flowConnection = await flowServer.ConnectAsync(admin: true);
    var flowReport = new Report();
    await FlowBench.RunAsync(flowConnection, flowReport, args.Contains("--quick") ? 10 : 1, () => ClientCommandsAsync(flowConnection), () => UsedMemoryAsync(flowConnection));
    flowReport.Print(rowsTsv);
    return;
}

if (args.Contains("--idle"))
{
    // Only the idle rows of both brokers (issue 23): each host on a redis-server of its own.
    ThreadPool.SetMinThreads(64, 64);
    var idleReport = new Report();
    await IdleBench.RunAsync(idleReport, ClientCommandsAsync);
    idleReport.Print(rowsTsv);
    return;
}

if (args.Contains("--dispatch"))
{
    // Only the dispatch rows and the burst lateness row, with where their time goes (issue 23).
    ThreadPool.SetMinThreads(64, 64);
    await using var dispatchServer = await RedisServer.StartAsync();
    await using var dispatchConnection = await dispatchServer.ConnectAsync(admin: true);
    var dispatchReport = new Report();
    await DispatchBench.RunAsync(
        dispatchConnection,
        dispatchReport,
        args.Contains("--quick") ? 10 : 1,
        (prefix, partitions, worker) => (BuildHost(dispatchConnection, prefix, worker, out var hosted, partitions), hosted),
        id => new GenericTask(NoOpRegistry.Name, new byte[28], id));
    dispatchReport.Print(rowsTsv);
    return;
}

if (args.Contains("--payloads"))
{
    var payloads = new Report();
    await PayloadBench.RunAsync(payloads);
    payloads.Print(rowsTsv);
    return;
}

if (Array.IndexOf(args, "--e2e-only") is var e2eOnly and >= 0)
{
    // A/B aid: only the end-to-end row (no-op handlers, no limits), for comparing two builds run alternately.
    ThreadPool.SetMinThreads(64, 64);
    await using var e2eServer = await RedisServer.StartAsync();
    await using var e2eConnection = await e2eServer.ConnectAsync(admin: true);
    var n = args.Length > e2eOnly + 1 ? int.Parse(args[e2eOnly + 1], CultureInfo.InvariantCulture) : 50_000;
    using var e2eHost = BuildHost(e2eConnection, "e2eonly", workerEnabled: true, out var e2eRegistry);
    var e2eScheduler = e2eHost.Services.GetRequiredService<IScheduler>();
    var e2ePayload = new byte[28];
    await e2eScheduler.ScheduleManyAsync(Enumerable.Range(0, n).Select(i => ScheduleRequest.After(new GenericTask(NoOpRegistry.Name, e2ePayload, "e" + i), TimeSpan.Zero)).ToList());
    var e2eDone = e2eRegistry.Expect(n);
    var e2eWatch = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var alloc0 = GC.GetTotalAllocatedBytes(true);
    await e2eHost.StartAsync();
    await e2eDone;
    var alloc1 = GC.GetTotalAllocatedBytes(true);
    var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
    var (perSecond, cpuUs, allocB) = (n / e2eWatch.Elapsed.TotalSeconds, (cpu1 - cpu0).TotalMicroseconds / n, (alloc1 - alloc0) / (double)n);
    if (rowsTsv)
    {
        // The same names --compare gives the line below when it reads a ref older than --rows-tsv (E2eLine).
        Console.WriteLine(new Row(E2eLine.Rate, perSecond, "/s").ToTsv());
        Console.WriteLine(new Row(E2eLine.Cpu, cpuUs, "µs/task").ToTsv());
        Console.WriteLine(new Row(E2eLine.Alloc, allocB, "B/task").ToTsv());
    }
    else
    {
        Console.WriteLine($"e2e {perSecond:F0} cpu_us {cpuUs:F2} alloc_b {allocB:F0}");
    }

    await e2eHost.StopAsync();
    return;
}

var quick = args.Contains("--quick");
var peers = args.Contains("--peers");
var scale = quick ? 10 : 1;
ThreadPool.SetMinThreads(64, 64);
await using var server = await RedisServer.StartAsync();
await using var connection = await server.ConnectAsync(admin: true);
var db = connection.GetDatabase();
var report = new Report();
Console.WriteLine($"Athomic.Scheduler benchmarks, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, redis-server {connection.GetServer(connection.GetEndPoints()[0]).Version}, .NET {Environment.Version}");

// Peers (--peers): BullMQ on this redis-server, each section right after the same rows of ours (Peers/bullmq-bench.mjs).
await using var bullMq = peers ? await BullMqPeer.InstallAsync(server.Port, scale, Console.Out) : null;
if (bullMq?.Unavailable is { } unavailable)
{
    Console.WriteLine($"BullMQ rows skipped: {unavailable}");
    report.Add("BullMQ", "skipped", unavailable);
}

async Task PeerSectionAsync(string section)
{
    if (bullMq is { Unavailable: null })
    {
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
        BullMqPeer.AddTo(report, await bullMq.RunAsync(section));
    }
}

var payload = new byte[28];
GenericTask NewTask(string? id = null) => new(NoOpRegistry.Name, payload, id);

// 1. Raw limit: the same layout (HSET + ZADD in one Lua script), no library around it.
const string rawScript = "redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) return 1";
RedisKey[] rawKeys = ["{raw}:pending", "{raw}:tasks"];
var envelope = TaskEnvelope.Write(NewTask());
await db.ScriptEvaluateAsync(rawScript, rawKeys, ["warm", envelope, 1]);
int seqCount = 20_000 / scale, parCount = 200_000 / scale, batchCount = 200_000 / scale;

var sw = Stopwatch.StartNew();
for (var i = 0; i < seqCount; i++)
{
    await db.ScriptEvaluateAsync(rawScript, rawKeys, ["r" + i, envelope, 1_000_000_000_000 + i]);
}

var rawSequential = Report.Rate(seqCount, sw.Elapsed);
report.Rate("raw Lua HSET+ZADD, 1 sequential caller", seqCount, sw.Elapsed, "(round-trip bound)");

sw.Restart();
var pipeline = new Task[batchCount];
for (var i = 0; i < batchCount; i++)
{
    pipeline[i] = db.ScriptEvaluateAsync(rawScript, rawKeys, ["p" + i, envelope, 1_000_000_000_000 + i]);
}

await Task.WhenAll(pipeline);
var rawPipelined = Report.Rate(batchCount, sw.Elapsed);
report.Rate("raw Lua HSET+ZADD, pipelined", batchCount, sw.Elapsed);
await db.KeyDeleteAsync(rawKeys);

// 2. The library: IScheduler over the Redis store.
using var host = BuildHost(connection, "bench", workerEnabled: false, out _);
var scheduler = host.Services.GetRequiredService<IScheduler>();
await scheduler.ScheduleAsync(NewTask("warm"), TimeSpan.FromDays(1));
if (Array.IndexOf(args, "--concurrent-only") is var only and >= 0)
{
    // Profiling aid: only the 32-caller row, repeated, e.g. under dotnet-trace or perf: --concurrent-only [tasks] [partitions].
    var n = args.Length > only + 1 ? int.Parse(args[only + 1], CultureInfo.InvariantCulture) : 200_000;
    var parts = args.Length > only + 2 ? int.Parse(args[only + 2], CultureInfo.InvariantCulture) : 1;
    using var profiled = BuildHost(connection, "bench", workerEnabled: false, out _, parts);
    var target = profiled.Services.GetRequiredService<IScheduler>();
    for (var round = 0; round < 5; round++)
    {
        var r = await ConcurrentBench.RunAsync(target, connection, id => NewTask(id), "o" + round + ":", n);
        Console.WriteLine($"32 callers: {Report.Rate(r.Count, r.Elapsed):N0} /s; {r.Costs}");
        await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
    }

    return;
}

sw.Restart();
for (var i = 0; i < seqCount; i++)
{
    await scheduler.ScheduleAsync(NewTask("s" + i), TimeSpan.FromDays(1));
}

var libSequential = Report.Rate(seqCount, sw.Elapsed);
report.Rate("ScheduleAsync, 1 sequential caller", seqCount, sw.Elapsed, $"= {Report.Ratio(libSequential, rawSequential)} of raw sequential");

var hangfire = HangfireBench.Client(connection);
var hfCount = seqCount / 4;
var (hfSeqCount, hfSeqElapsed) = await HangfireBench.ScheduleAsync(hangfire, hfCount, callers: 1);
var hfSequential = Report.Rate(hfSeqCount, hfSeqElapsed);
report.Rate("Hangfire Schedule, 1 sequential caller", hfSeqCount, hfSeqElapsed, $"ours = {libSequential / hfSequential:F1}x Hangfire");

var concurrent = await ConcurrentBench.RunAsync(scheduler, connection, id => NewTask(id), "c", parCount);
var libConcurrent = Report.Rate(concurrent.Count, concurrent.Elapsed);
report.Rate("ScheduleAsync, 32 concurrent callers", concurrent.Count, concurrent.Elapsed, $"= {Report.Ratio(libConcurrent, rawPipelined)} of raw pipelined");
report.Add("  32 callers: costs per task", string.Empty, concurrent.Costs);
var (hfParCount, hfParElapsed) = await HangfireBench.ScheduleAsync(hangfire, parCount / 10, callers: 32);
var hfConcurrent = Report.Rate(hfParCount, hfParElapsed);
report.Rate("Hangfire Schedule, 32 concurrent callers", hfParCount, hfParElapsed, $"ours = {libConcurrent / hfConcurrent:F1}x Hangfire");

var requests = Enumerable.Range(0, batchCount).Select(i => ScheduleRequest.After(NewTask("b" + i), TimeSpan.FromDays(1))).ToList();
sw.Restart();
await scheduler.ScheduleManyAsync(requests);
var libBatch = Report.Rate(batchCount, sw.Elapsed);
report.Rate("ScheduleManyAsync (batch)", batchCount, sw.Elapsed, $"= {Report.Ratio(libBatch, rawPipelined)} of raw pipelined");
await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
await PeerSectionAsync("add");

// 3. Memory per pending task (short ids, 28-byte payload), against the raw floor of the same layout (the same
// envelopes in the same zset + hash, written with plain HSET + ZADD) and against Hangfire's per delayed job.
var memCount = quick ? 10_000 : 1_000_000;
var memRequests = Enumerable.Range(0, memCount).Select(i => ScheduleRequest.After(NewTask("m" + i), TimeSpan.FromDays(1))).ToList();
var before = await UsedMemoryAsync(connection);
for (var start = 0; start < memCount; start += 100_000)
{
    await scheduler.ScheduleManyAsync(memRequests.GetRange(start, Math.Min(100_000, memCount - start)));
}

var ourBytes = (await UsedMemoryAsync(connection) - before) / (double)memCount;
await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
before = await UsedMemoryAsync(connection);
var due = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
for (var start = 0; start < memCount; start += 10_000)
{
    var writes = new List<Task>(20_000);
    for (var i = start; i < Math.Min(memCount, start + 10_000); i++)
    {
        writes.Add(db.HashSetAsync("{floor}:tasks", "m" + i, TaskEnvelope.Write(NewTask("m" + i))));
        writes.Add(db.SortedSetAddAsync("{floor}:pending", "m" + i, due));
    }

    await Task.WhenAll(writes);
}

var floorBytes = (await UsedMemoryAsync(connection) - before) / (double)memCount;
memRequests.Clear();
await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
before = await UsedMemoryAsync(connection);
var (hfMemCount, _) = await HangfireBench.ScheduleAsync(hangfire, Math.Min(memCount / 5, 20_000), callers: 32);
var hfBytes = (await UsedMemoryAsync(connection) - before) / (double)hfMemCount;
report.Add("raw floor memory per task (zset + hash)", floorBytes.ToString("F0", CultureInfo.InvariantCulture) + " B", $"({memCount:N0} tasks, plain HSET + ZADD)");
report.Add("Redis memory per pending task", ourBytes.ToString("F0", CultureInfo.InvariantCulture) + " B", $"({memCount:N0} tasks; = {ourBytes / floorBytes:F2}x the raw floor, {ourBytes / hfBytes:P0} of Hangfire)");
report.Add("Hangfire memory per delayed job", hfBytes.ToString("F0", CultureInfo.InvariantCulture) + " B", $"({hfMemCount:N0} jobs)");
await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
await PeerSectionAsync("memory");

// 4. Dispatch: due tasks claimed per second (claim batches of 1,000, no broker), by 1 and 3 concurrent workers
// on one partition, and by 3 workers each claiming across 3 partitions.
var dispatchCount = 200_000 / scale;
(IHost, NoOpRegistry) HostOf(string prefix, int partitions, bool worker) => (BuildHost(connection, prefix, worker, out var hosted, partitions), hosted);
async Task<TimeSpan> DispatchAsync(int partitions, int workers) =>
    (await DispatchBench.ClaimRateAsync(connection, HostOf, NewTask, dispatchCount, partitions, workers)).Elapsed;

report.Rate("dispatch (due → in flight), 1 worker", dispatchCount, await DispatchAsync(1, 1), "one partition, batches of 1,000");
report.Rate("dispatch, 3 workers", dispatchCount, await DispatchAsync(1, 3), "one partition");
report.Rate("dispatch, 3 workers, 3 partitions", dispatchCount, await DispatchAsync(3, 3), "one redis-server: the partitions share its one core");

// 5. End to end: due no-op tasks executed per second by one worker process (in-process broker).
var e2eCount = 100_000 / scale;
double libE2e;
List<double> libIdle, libBurst;
using (var workerHost = BuildHost(connection, "e2e", workerEnabled: true, out var registry))
{
    var e2eScheduler = workerHost.Services.GetRequiredService<IScheduler>();
    await e2eScheduler.ScheduleManyAsync(Enumerable.Range(0, e2eCount).Select(i => ScheduleRequest.After(NewTask("e" + i), TimeSpan.Zero)).ToList());
    var done = registry.Expect(e2eCount);
    sw.Restart();
    await workerHost.StartAsync();
    await done;
    libE2e = Report.Rate(e2eCount, sw.Elapsed);
    report.Rate("end to end, no-op handlers, 1 worker", e2eCount, sw.Elapsed, "claim + run + ack");

    // 6. Lateness, idle: one task at a time, 100 ms ahead.
    var idle = new List<double>();
    for (var i = 0; i < 50; i++)
    {
        done = registry.Expect(1);
        await e2eScheduler.ScheduleAsync(NewTask("l" + i), TimeSpan.FromMilliseconds(100));
        await done;
        idle.AddRange(registry.LatenessMs);
    }

    idle.Sort();
    libIdle = idle;
    report.Add("lateness idle p50 / p95 / p99", $"{Report.Percentile(idle, 0.5):F1} / {Report.Percentile(idle, 0.95):F1} / {Report.Percentile(idle, 0.99):F1} ms", "(50 tasks, each 100 ms ahead)");

    // 7. Lateness, burst: 10,000 tasks due at the same moment.
    var burstCount = 10_000 / scale;
    var burst = await DispatchBench.BurstAsync(connection, e2eScheduler, registry, burstCount, NewTask);
    libBurst = burst.Sorted;
    report.Add("lateness burst p50 / p95 / p99", burst.Percentiles, $"({burstCount:N0} tasks due at once)");
    report.Add("  burst: claims", string.Empty, burst.Costs);

    // 8. Idle cost: commands per second sent by this idle worker, after its backoff settled.
    var window = TimeSpan.FromSeconds(quick ? 5 : 20);
    var c0 = await ClientCommandsAsync(connection);
    await Task.Delay(window);
    var c1 = await ClientCommandsAsync(connection);
    report.Add("idle worker commands", ((c1 - c0) / window.TotalSeconds).ToString("F2", CultureInfo.InvariantCulture) + " /s", $"({c1 - c0} in {window.TotalSeconds:F0} s)");
    await workerHost.StopAsync();
}

await PeerSectionAsync("e2e");

// Flow control (limits, rates): its own rows, in this run.
await FlowBench.RunAsync(connection, report, scale, () => ClientCommandsAsync(connection), () => UsedMemoryAsync(connection));
await DurabilityBench.RunAsync(report, scale);

// 9. Tracing: off and on alternately, five rounds each, so the VM's noise hits both alike. "On" is a listener that
// samples and records every span of the scheduler (what an OpenTelemetry SDK with an always-on sampler does before it
// exports), nothing exported. Reported: wall time and this process's CPU time per task (redis-server is another process).
var seqWall = new TimeSpan[2];
var seqCpu = new TimeSpan[2];
var e2eWall = new TimeSpan[2];
var e2eCpu = new TimeSpan[2];
var seqRound = seqCount / 5;
var e2eRound = e2eCount / 5;
for (var round = 0; round < 5; round++)
{
    for (var on = 0; on < 2; on++)
    {
        using var tracing = on == 1 ? TracingListener() : null;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        for (var i = 0; i < seqRound; i++)
        {
            await scheduler.ScheduleAsync(NewTask($"t{round}.{on}.{i}"), TimeSpan.FromDays(1));
        }

        seqWall[on] += sw.Elapsed;
        seqCpu[on] += Process.GetCurrentProcess().TotalProcessorTime - cpu;

        using var tracedHost = BuildHost(connection, $"e2e{round}.{on}", workerEnabled: true, out var tracedRegistry);
        await tracedHost.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(
            Enumerable.Range(0, e2eRound).Select(i => ScheduleRequest.After(NewTask($"e{round}.{on}.{i}"), TimeSpan.Zero)).ToList());
        var tracedDone = tracedRegistry.Expect(e2eRound);
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        await tracedHost.StartAsync();
        await tracedDone;
        e2eWall[on] += sw.Elapsed;
        e2eCpu[on] += Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await tracedHost.StopAsync();
    }
}

await connection.GetServer(connection.GetEndPoints()[0]).FlushDatabaseAsync();
string PerTask(TimeSpan[] wall, TimeSpan[] cpu, int count) =>
    $"off {wall[0].TotalMicroseconds / count:F1} µs wall, {cpu[0].TotalMicroseconds / count:F1} µs CPU; on {wall[1].TotalMicroseconds / count:F1} µs wall, {cpu[1].TotalMicroseconds / count:F1} µs CPU: tracing costs {(cpu[1] - cpu[0]).TotalMicroseconds / count:F1} µs CPU per task";
report.Rate("tracing on: ScheduleAsync, 1 sequential caller", seqRound * 5, seqWall[1], PerTask(seqWall, seqCpu, seqRound * 5));
report.Rate("tracing on: end to end, no-op handlers, 1 worker", e2eRound * 5, e2eWall[1], PerTask(e2eWall, e2eCpu, e2eRound * 5));

await PayloadBench.RunAsync(report);
report.Print(rowsTsv);
if (bullMq?.Result is { } peerRun && !rowsTsv)
{
    var table = new PeerTable();
    table.Add("`ScheduleAsync` / `Schedule` / `Queue.add`, 1 caller", "/s", true, libSequential, hfSequential, peerRun["add1"]);
    table.Add("the same, 32 concurrent callers", "/s", true, libConcurrent, hfConcurrent, peerRun["add32"]);
    table.Add("`ScheduleManyAsync` / `Queue.addBulk`", "/s", true, libBatch, null, peerRun["bulk"]);
    table.Add("Redis memory per pending task / delayed job", "B", false, ourBytes, hfBytes, peerRun["memory"]);
    table.Add("end to end, no-op handlers, 1 worker", "/s", true, libE2e, null, peerRun["e2e"]);
    table.Add("lateness idle p50", "ms", false, Report.Percentile(libIdle, 0.5), null, peerRun["latenessIdleP50"]);
    table.Add("lateness idle p99", "ms", false, Report.Percentile(libIdle, 0.99), null, peerRun["latenessIdleP99"]);
    table.Add("lateness burst p50", "ms", false, Report.Percentile(libBurst, 0.5), null, peerRun["latenessBurstP50"]);
    table.Add("lateness burst p99", "ms", false, Report.Percentile(libBurst, 0.99), null, peerRun["latenessBurstP99"]);
    Console.WriteLine();
    foreach (var line in table.Format(peerRun.Versions))
    {
        Console.WriteLine(line);
    }

    if (peerRun.Skipped is { } reason)
    {
        Console.WriteLine($"BullMQ rows skipped: {reason}");
    }
}

static ActivityListener TracingListener()
{
    var listener = new ActivityListener
    {
        ShouldListenTo = s => s.Name == SchedulerDiagnostics.ActivitySourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };
    ActivitySource.AddActivityListener(listener);
    return listener;
}

static IHost BuildHost(IConnectionMultiplexer connection, string prefix, bool workerEnabled, out NoOpRegistry registry, int partitions = 1)
{
    registry = new NoOpRegistry();
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddAthomicScheduler(o =>
    {
        o.KeyPrefix = prefix;
        o.Partitions = partitions;
        o.Worker.Enabled = workerEnabled;
        o.Worker.BatchSize = 1000;
        o.Execution.MaxConcurrency = 64;
    }).UseRedis(_ => connection).AddHandlers(registry);
    return builder.Build();
}

static async Task<long> UsedMemoryAsync(IConnectionMultiplexer connection)
{
    var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("memory");
    return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
}

static async Task<long> ClientCommandsAsync(IConnectionMultiplexer connection)
{
    string[] insideScripts = ["info", "time", "get", "set", "zrange", "zrangebyscore", "zadd", "zrem", "zremrangebyrank", "zscore", "zcard", "hget", "hmget", "hset", "hdel", "hexists", "publish", "xadd", "pttl"];
    var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("commandstats");
    return info.SelectMany(g => g)
        .Where(p => !insideScripts.Contains(p.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal)))
        .Sum(p => long.Parse(p.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture));
}
