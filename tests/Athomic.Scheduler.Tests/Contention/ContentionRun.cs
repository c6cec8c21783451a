using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Testing.Contention;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>Where the workers run: in-process hosts (A) or chaos worker processes SIGKILLed at random (B).</summary>
public sealed record ContentionVariant(string Broker, int Partitions, bool Kills)
{
    public static readonly ContentionVariant[] All =
    [
        new("inprocess", 1, false), new("inprocess", 4, false), new("streams", 1, false), new("streams", 4, false),
        new("inprocess", 1, true), new("streams", 4, true),
    ];

    public bool Streams => Broker == "streams";

    public override string ToString() => $"{Broker}-p{Partitions}{(Kills ? "-kills" : "")}";
}

/// <summary>The outcome of one harness run.</summary>
public sealed record ContentionOutcome(ContentionVariant Variant, ContentionPlan Plan, ContentionHistory History, List<string> Violations, TimeSpan Elapsed, string? HistoryFile)
{
    public string Summary
    {
        get
        {
            var statuses = History.Ops.Where(o => !o.Op.Cancel).GroupBy(o => o.Error is null ? ((int)o.Status!.Value).ToString(System.Globalization.CultureInfo.InvariantCulture) : "error")
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}");
            var cancels = History.Ops.Where(o => o.Op.Cancel).GroupBy(o => o.Cancelled?.ToString() ?? "error").Select(g => $"{g.Key}:{g.Count()}");
            return $"contention {Variant} {Plan}: statuses [{string.Join(" ", statuses)}], cancels [{string.Join(" ", cancels)}], " +
                   $"runs {History.Runs.Count}, dead letters {History.DeadLetters.Count}, killed {History.KilledHosts.Count}, " +
                   $"{Violations.Count} violations, {Elapsed.TotalSeconds:F1} s";
        }
    }

    public string FailureMessage(int max = 30) => ContentionRun.FailureText(
        $"Contention {Variant}, seed {Plan.Seed}",
        Plan.Seed,
        Variant.Kills ? "Worker_processes_killed_at_random_lose_nothing" : "In_process_hosts_keep_the_contract_under_contention",
        Variant.ToString(),
        HistoryFile,
        Summary,
        Violations,
        max);
}

/// <summary>Runs one seeded plan against real redis-server and real worker hosts, then checks the history.</summary>
public static class ContentionRun
{
    public const string SeedVariable = "ATHOMIC_CONTENTION_SEED";
    internal const int Workers = 3;
    internal const string Prefix = "contention";
    internal static readonly TimeSpan QuietTimeout = TimeSpan.FromSeconds(40);

    /// <summary>A worker's connection: timeouts of half the lease, as start-up requires of a worker that claims.</summary>
    private static string WorkerConnectionString(RedisServer server) =>
        server.ConnectionString + $",syncTimeout={(int)(ContentionPlan.Lease.TotalMilliseconds / 2)},asyncTimeout={(int)(ContentionPlan.Lease.TotalMilliseconds / 2)}";

    /// <summary>A failure message: what failed, how to replay it, where the history is, the summary and the first <paramref name="max"/> violations.</summary>
    internal static string FailureText(string title, int seed, string test, string variant, string? historyFile, string summary, IReadOnlyList<string> violations, int max, string? environment = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{title}: {violations.Count} violations of the contract.");
        sb.AppendLine($"Replay: {SeedVariable}={seed} {(environment is null ? "" : environment + " ")}dotnet test tests/Athomic.Scheduler.Tests --no-build --filter \"FullyQualifiedName~{test}\"  (variant {variant})");
        sb.AppendLine($"History: {historyFile}");
        sb.AppendLine(summary);
        foreach (var v in violations.Take(max))
        {
            sb.AppendLine("  " + v);
        }

        if (violations.Count > max)
        {
            sb.AppendLine($"  … and {violations.Count - max} more (see the history file)");
        }

        return sb.ToString();
    }

    /// <summary>The seed of <see cref="SeedVariable"/>, or a new random one.</summary>
    public static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var seed) ? seed : Random.Shared.Next(1, int.MaxValue);

    public static async Task<ContentionOutcome> RunAsync(ContentionVariant variant, int seed, Action<string>? log = null)
    {
        var plan = ContentionPlan.Generate(seed, Workers, variant.Kills);
        log?.Invoke($"contention {variant} {plan}");
        var watch = Stopwatch.StartNew();
        await using var server = await RedisServer.StartAsync();
        await using var inspector = await server.ConnectAsync();
        var outcome = variant.Kills
            ? await RunProcessesAsync(variant, plan, server, inspector)
            : await RunHostsAsync(variant, plan, server, inspector);
        var violations = ContentionChecker.Check(outcome.History);
        if (!outcome.Quiet)
        {
            violations.Insert(0, $"[end] the schedule did not become quiet within {QuietTimeout.TotalSeconds} s after the last operation: {outcome.History.Store}");
        }

        var result = new ContentionOutcome(variant, plan, outcome.History, violations, watch.Elapsed, null);
        if (violations.Count > 0)
        {
            var dir = Path.Combine(Path.GetTempPath(), "athomic-contention");
            Directory.CreateDirectory(dir);
            result = result with { HistoryFile = Path.Combine(dir, $"{variant}-seed{seed}-{DateTime.UtcNow:yyyyMMddHHmmss}.txt") };
            WriteHistory(result);
        }

        log?.Invoke(result.Summary);
        return result;
    }

    private static async Task<(ContentionHistory History, bool Quiet)> RunHostsAsync(ContentionVariant variant, ContentionPlan plan, RedisServer server, ConnectionMultiplexer inspector)
    {
        var history = new MemoryHistory();
        var connections = new List<ConnectionMultiplexer>();
        var hosts = new List<IHost>();
        try
        {
            for (var i = 0; i < Workers; i++)
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(WorkerConnectionString(server));
                connections.Add(connection);
                hosts.Add(BuildHost(connection, variant, plan, history.SinkFor("h" + i), worker: true));
            }

            await Task.WhenAll(hosts.Select(h => h.StartAsync()));
            var t0 = DateTime.UtcNow.Ticks;
            var ops = await DriveAsync(plan, hosts.Select(h => h.Services.GetRequiredService<IScheduler>()).ToList(), kill: null);
            var (store, quiet) = await AwaitQuietAsync(inspector.GetDatabase(), variant.Partitions, () => history.Active == 0);
            var dead = await DeadLettersAsync(hosts[0].Services.GetRequiredService<IDeadLetterQueue>());
            await Task.WhenAll(hosts.Select(StopAsync));
            return (new ContentionHistory(ops, history.Runs, dead, store, new HashSet<string>(), t0, FaultsInjected: false), quiet);
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Dispose();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<(ContentionHistory History, bool Quiet)> RunProcessesAsync(ContentionVariant variant, ContentionPlan plan, RedisServer server, ConnectionMultiplexer inspector)
    {
        var dir = Path.Combine(Path.GetTempPath(), "athomic-contention", $"{variant}-seed{plan.Seed}-{Guid.NewGuid():N}"[..48]);
        Directory.CreateDirectory(dir);
        var logs = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var killed = new HashSet<string>(StringComparer.Ordinal);
        var workers = new WorkerProcess[Workers];
        var generation = 0;
        async Task<WorkerProcess> Start(int slot)
        {
            var name = $"w{slot}g{Interlocked.Increment(ref generation)}";
            var log = logs[name] = Path.Combine(dir, name + ".log");
            return await WorkerProcess.StartAsync(WorkerConnectionString(server), Prefix, name, "contention:runs", workMs: 0,
                visibilityMs: (int)ContentionPlan.Lease.TotalMilliseconds, concurrency: plan.MaxConcurrency,
                "--Chaos:HarnessLog=" + log,
                "--Chaos:Broker=" + variant.Broker,
                "--Athomic:Scheduler:Partitions=" + variant.Partitions,
                "--Athomic:Scheduler:Worker:LeaseDuration=" + ContentionPlan.Lease.ToString("c"),
                "--Athomic:Scheduler:Execution:RetryBaseDelay=00:00:00.010",
                "--Athomic:Scheduler:Execution:RetryMaxDelay=00:00:00.050");
        }

        await using var client = await server.ConnectAsync();
        using var clientHost = BuildHost(client, variant, plan, new MemoryHistory().SinkFor("client"), worker: false);
        try
        {
            for (var slot = 0; slot < Workers; slot++)
            {
                workers[slot] = await Start(slot);
            }

            await clientHost.StartAsync();
            var t0 = DateTime.UtcNow.Ticks;
            var ops = await DriveAsync(plan, [clientHost.Services.GetRequiredService<IScheduler>()], async kill =>
            {
                killed.Add(workers[kill.Slot].Consumer);
                await workers[kill.Slot].KillAsync();
                await workers[kill.Slot].DisposeAsync();
                workers[kill.Slot] = await Start(kill.Slot);
            });
            bool NoneRunning() => workers.All(w => RunFiles.Read(logs[w.Consumer], w.Consumer).All(r => r.End is not null));
            var (store, quiet) = await AwaitQuietAsync(inspector.GetDatabase(), variant.Partitions, NoneRunning);
            var dead = await DeadLettersAsync(clientHost.Services.GetRequiredService<IDeadLetterQueue>());
            var runs = logs.OrderBy(l => l.Key, StringComparer.Ordinal).SelectMany(l => RunFiles.Read(l.Value, l.Key)).ToList();
            foreach (var w in workers.Where(w => w.HasExited))
            {
                store = store with { MustBeEmpty = new Dictionary<string, IReadOnlyList<string>>(store.MustBeEmpty) { ["worker " + w.Consumer + " exited"] = [w.Output] } };
            }

            await clientHost.StopAsync();
            return (new ContentionHistory(ops, runs, dead, store, killed, t0, FaultsInjected: true), quiet); // the kills
        }
        finally
        {
            foreach (var w in workers.Where(w => w is not null))
            {
                await w.DisposeAsync();
            }
        }
    }

    internal static IHost BuildHost(IConnectionMultiplexer connection, ContentionVariant variant, ContentionPlan plan, IRunSink sink, bool worker)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ATHOMIC_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        var scheduler = builder.Services.AddAthomicScheduler(o =>
            {
                o.KeyPrefix = Prefix;
                o.Partitions = variant.Partitions;
                o.Worker.Enabled = worker;
                o.Worker.LeaseDuration = ContentionPlan.Lease;
                o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(20);
                o.Worker.MaxPollDelay = TimeSpan.FromMilliseconds(200);
                o.Execution.MaxConcurrency = plan.MaxConcurrency;
                o.Execution.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                o.Execution.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                o.Streams.VisibilityTimeout = ContentionPlan.Lease;
            })
            .UseRedis(_ => connection)
            .AddHandlers(new ContentionRegistry(sink));
        if (variant.Streams)
        {
            scheduler.UseRedisStreamsBroker();
        }

        return builder.Build();
    }

    /// <summary>
    /// Issues the plan: one lane per id (its operations in order, each no earlier than planned), plus the kills. After a
    /// call that threw, the lane awaits <paramref name="settle"/> (when given) before the id's next operation: a call
    /// that timed out may still be on its way to Redis, and must not overtake the next one.
    /// </summary>
    internal static async Task<List<OpResult>> DriveAsync(ContentionPlan plan, IReadOnlyList<IScheduler> clients, Func<PlanKill, Task>? kill, Func<PlanOp, Task>? settle = null)
    {
        var results = new ConcurrentQueue<OpResult>();
        var clock = Stopwatch.StartNew();
        async Task Until(int atMs)
        {
            var wait = atMs - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait)); // pacing of the plan, not synchronisation
            }
        }

        async Task Lane(IEnumerable<PlanOp> ops)
        {
            foreach (var op in ops)
            {
                await Until(op.AtMs);
                var result = await ExecuteAsync(op, clients[op.Client % clients.Count]);
                results.Enqueue(result);
                if (result.Error is not null && settle is not null)
                {
                    await settle(op);
                }
            }
        }

        async Task Kills()
        {
            foreach (var k in plan.Kills)
            {
                await Until(k.AtMs);
                await kill!(k);
            }
        }

        var lanes = plan.Ops.GroupBy(o => o.Id, StringComparer.Ordinal).Select(g => Task.Run(() => Lane(g))).ToList();
        if (kill is not null)
        {
            lanes.Add(Kills());
        }

        await Task.WhenAll(lanes);
        return results.OrderBy(r => r.Invoked).ToList();
    }

    private static async Task<OpResult> ExecuteAsync(PlanOp op, IScheduler scheduler)
    {
        var invoked = DateTime.UtcNow.Ticks;
        try
        {
            if (op.Cancel)
            {
                var cancelled = await scheduler.CancelAsync(op.Id);
                return new OpResult(op, null, cancelled, invoked, DateTime.UtcNow.Ticks, null);
            }

            var task = new GenericTask(ContentionRegistry.HandlerFor(op.Id), op.Payload.Encode(), op.Id);
            var request = new ScheduleRequest(task, Delay: TimeSpan.FromMilliseconds(op.DelayMs), Policy: op.Refuse ? ExistingTaskPolicy.Refuse : null);
            var result = await scheduler.ScheduleManyAsync([request]);
            return new OpResult(op, result[0].Status, null, invoked, DateTime.UtcNow.Ticks, null);
        }
        catch (Exception ex)
        {
            return new OpResult(op, null, null, invoked, DateTime.UtcNow.Ticks, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>Polls the store (its state is in Redis, written by other hosts or processes: no event to await) until
    /// it is quiet and no handler runs, for 300 ms on end.</summary>
    private static async Task<(StoreSnapshot Store, bool Quiet)> AwaitQuietAsync(IDatabase db, int partitions, Func<bool> noneRunning)
    {
        // Quiet for 300 ms on end: longer than the longest retry delay (50 ms), so a retry still waiting is not missed.
        StoreSnapshot snapshot = null!;
        var calmSince = (Stopwatch?)null;
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    snapshot = await StoreInspector.SnapshotAsync(db, Prefix, partitions);
                    calmSince = snapshot.Quiet && noneRunning() ? calmSince ?? Stopwatch.StartNew() : null;
                    return calmSince?.Elapsed >= TimeSpan.FromMilliseconds(300);
                },
                QuietTimeout,
                "the schedule is quiet");
            return (snapshot, true);
        }
        catch (TimeoutException)
        {
            return (snapshot, false);
        }
    }

    internal static async Task<Dictionary<string, DeadLetterRecord>> DeadLettersAsync(IDeadLetterQueue queue)
    {
        var letters = new Dictionary<string, DeadLetterRecord>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += 1000)
        {
            var page = await queue.ListAsync(offset, 1000);
            foreach (var letter in page.Items)
            {
                int? version = null;
                if (letter.TryReadTask() is { } task)
                {
                    try
                    {
                        version = ContentionPayload.Decode(task.Payload.Span).Version;
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }

                // Newest first: the first letter of an id is its dead letter; earlier ones only add their versions.
                if (letters.TryGetValue(letter.TaskId, out var newer))
                {
                    letters[letter.TaskId] = newer with { Versions = version is { } v ? [.. newer.Versions, v] : newer.Versions };
                }
                else
                {
                    letters[letter.TaskId] = new DeadLetterRecord(letter.TaskId, version, letter.Reason);
                }
            }

            if (page.Items.Count < 1000)
            {
                return letters;
            }
        }
    }

    internal static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(cts.Token);
    }

    private static void WriteHistory(ContentionOutcome outcome)
    {
        var sb = new StringBuilder();
        sb.AppendLine(outcome.FailureMessage(int.MaxValue));
        AppendHistory(sb, outcome.History);
        File.WriteAllText(outcome.HistoryFile!, sb.ToString());
    }

    /// <summary>Per id, every operation with its result and every run, in time order, plus the dead letter.</summary>
    internal static void AppendHistory(StringBuilder sb, ContentionHistory h)
    {
        sb.AppendLine("== per id: operations and runs ==");
        foreach (var id in h.Ops.Select(o => o.Op.Id).Distinct().Order(StringComparer.Ordinal))
        {
            sb.AppendLine($"[{id}]");
            var events = h.Ops.Where(o => o.Op.Id == id).Select(o => (At: o.Invoked, Text: $"  {h.Ms(o.Invoked)}..{h.Ms(o.Returned)} {o.Op} -> {o.Error ?? (o.Op.Cancel ? $"cancelled={o.Cancelled}" : $"status {(int)o.Status!.Value}")}"))
                .Concat(h.Runs.Where(r => r.Id == id).Select(r => (At: r.Start, Text: "    run " + h.Describe(r))))
                .OrderBy(e => e.At);
            foreach (var e in events)
            {
                sb.AppendLine(e.Text);
            }

            if (h.DeadLetters.TryGetValue(id, out var d))
            {
                sb.AppendLine($"  dead letter v{d.Version}: {d.Reason}");
            }
        }
    }
}
