using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Testing.Contention;
using Athomic.Scheduler.Tests.Contention;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Faults;

/// <summary>A fault variant: the broker, the partitions and how much longer than a contention plan its plan runs.</summary>
public sealed record FaultVariant(string Broker, int Partitions, double Scale = 1.0)
{
    public static readonly FaultVariant[] All = [new("inprocess", 1), new("streams", 4), new("inprocess", 4), new("streams", 1)];

    /// <summary>Names the variant <see cref="FaultTests.Replay_a_fault_variant"/> runs, as <see cref="ToString"/> writes it (<c>faults-streams-p4-x3</c>).</summary>
    public const string Variable = "ATHOMIC_FAULT_VARIANT";

    /// <summary>Reads a variant as <see cref="ToString"/> writes it: <c>faults-{broker}-p{partitions}[-x{scale}]</c>.</summary>
    public static FaultVariant Parse(string text)
    {
        var m = System.Text.RegularExpressions.Regex.Match(text.Trim(), @"^(?:faults-)?(inprocess|streams)-p(\d+)(?:-x([0-9.]+))?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        return m.Success
            ? new FaultVariant(m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), m.Groups[3].Success ? double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 1.0)
            : throw new FormatException($"{Variable}: '{text}' is not a fault variant such as faults-streams-p4-x3");
    }

    public ContentionVariant Contention => new(Broker, Partitions, Kills: false);

    public bool Streams => Broker == "streams";

    public override string ToString() => $"faults-{Broker}-p{Partitions}{(Scale == 1.0 ? "" : string.Create(CultureInfo.InvariantCulture, $"-x{Scale}"))}";
}

/// <summary>The outcome of one fault run.</summary>
public sealed record FaultOutcome(FaultVariant Variant, ContentionPlan Plan, FaultPlan Faults, FaultHistory History, List<string> Violations, TimeSpan Elapsed, string? HistoryFile)
{
    public string Summary
    {
        get
        {
            var c = History.Contention;
            var unknown = c.Ops.Count(o => o.Error is not null);
            var lost = c.Runs.Count(r => r.Host.EndsWith(FaultChecker.LeaseLostSuffix, StringComparison.Ordinal));
            var worst = History.Overdue.Count == 0 ? 0 : History.Overdue.Max(o => o.FreeMs);
            return $"{Variant} seed {Plan.Seed}: {Plan}; {Faults}; {c.Ops.Count} ops ({unknown} threw: unknown), runs {c.Runs.Count} " +
                   $"({lost} lost their lease in a fault), dead letters {c.DeadLetters.Count}, longest wait of due work after the faults " +
                   $"{worst:F0} ms (bound {FaultChecker.StuckBound(History).TotalMilliseconds:F0}), {Violations.Count} violations, {Elapsed.TotalSeconds:F1} s";
        }
    }

    public string FailureMessage(int max = 30) => ContentionRun.FailureText(
        $"Faults {Variant}, seed {Plan.Seed}", Plan.Seed, nameof(FaultTests.Replay_a_fault_variant), Variant.ToString(), HistoryFile, Summary, Violations, max,
        $"{FaultVariant.Variable}={Variant}");
}

/// <summary>
/// Runs one seeded contention plan against three in-process workers, each connected to redis-server through its own
/// <see cref="FaultProxy"/>, while a seeded fault schedule stalls, delays and resets those connections and poison tasks
/// are injected; then checks the history with <see cref="FaultChecker"/> (the contention checker plus the fault rules).
/// </summary>
public static class FaultRun
{
    private const int Workers = ContentionRun.Workers;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A worker's connection through its proxy: timeouts of half the lease, as start-up requires of a worker that claims.</summary>
    public static string WorkerConnectionString(FaultProxy proxy)
    {
        var timeout = (int)FaultPlan.ClientTimeout.TotalMilliseconds;
        return $"{proxy.EndPoint},abortConnect=false,connectTimeout={timeout},syncTimeout={timeout},asyncTimeout={timeout}";
    }

    public static async Task<FaultOutcome> RunAsync(FaultVariant variant, int seed, Action<string>? log = null)
    {
        var plan = ContentionPlan.Generate(seed, Workers, kills: false, variant.Scale);
        var faults = FaultPlan.Generate(seed, Workers, plan.DurationMs, variant.Streams);
        log?.Invoke($"{variant} seed {seed}: {plan}; {faults}");
        var watch = Stopwatch.StartNew();
        await using var server = await RedisServer.StartAsync();
        await using var inspector = await server.ConnectAsync();
        var proxies = Enumerable.Range(0, Workers).Select(_ => new FaultProxy(server.Port)).ToList();
        var connections = new List<ConnectionMultiplexer>();
        var hosts = new List<IHost>();
        try
        {
            var history = new MemoryHistory();
            foreach (var proxy in proxies)
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(WorkerConnectionString(proxy));
                connections.Add(connection);
                hosts.Add(ContentionRun.BuildHost(connection, variant.Contention, plan, history.SinkFor("h" + hosts.Count), worker: true));
            }

            // Poison tasks are scheduled, and dead letters read, on a direct connection: their injection is never unknown.
            using var poisonClient = ContentionRun.BuildHost(inspector, variant.Contention, plan, history.SinkFor("poison-client"), worker: false);
            await Task.WhenAll(hosts.Append(poisonClient).Select(h => h.StartAsync()));
            var t0 = DateTime.UtcNow.Ticks;
            var clock = Stopwatch.StartNew();
            var drive = ContentionRun.DriveAsync(
                plan,
                hosts.Select(h => h.Services.GetRequiredService<IScheduler>()).ToList(),
                kill: null,
                settle: op => SettleAsync(proxies[op.Client % Workers], connections[op.Client % Workers]));
            var poisoning = InjectPoisonAsync(faults.Poison, poisonClient.Services.GetRequiredService<IScheduler>(), inspector.GetDatabase(), variant.Partitions, clock);
            var faultRecords = await InjectFaultsAsync(faults, proxies, clock);
            var faultsEnded = faultRecords.Count == 0 ? DateTime.UtcNow.Ticks : faultRecords.Max(f => f.End);
            var (overdue, store, quiet) = await MonitorAsync(inspector.GetDatabase(), variant, plan, history, Task.WhenAll(drive, poisoning));
            var ops = await drive;
            var poison = await poisoning;
            var dead = await ContentionRun.DeadLettersAsync(poisonClient.Services.GetRequiredService<IDeadLetterQueue>());
            await Task.WhenAll(hosts.Append(poisonClient).Select(ContentionRun.StopAsync));

            var contention = new ContentionHistory(ops, history.Runs, dead, store, new HashSet<string>(StringComparer.Ordinal), t0, FaultsInjected: true);
            var fh = new FaultHistory(contention, faultRecords, poison, overdue, faultsEnded, ContentionPlan.Lease, MaxPollDelay(hosts[0]));
            var violations = FaultChecker.Check(fh);
            if (!quiet)
            {
                violations.Insert(0, $"[end] the schedule did not become quiet within {ContentionRun.QuietTimeout.TotalSeconds} s after the last operation and the last fault: {store}");
            }

            var (exempted, _) = FaultChecker.ExemptLostLeases(fh);
            var result = new FaultOutcome(variant, plan, faults, fh with { Contention = exempted }, violations, watch.Elapsed, null);
            if (violations.Count > 0)
            {
                var dir = Path.Combine(Path.GetTempPath(), "athomic-contention");
                Directory.CreateDirectory(dir);
                result = result with { HistoryFile = Path.Combine(dir, $"{variant}-seed{seed}-{DateTime.UtcNow:yyyyMMddHHmmss}.txt") };
                WriteHistory(result, proxies);
            }

            log?.Invoke(result.Summary + " | " + string.Join("; ", proxies.Select(p => p.ToString())));
            return result;
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

            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// After a call through <paramref name="proxy"/> threw: waits until the proxy holds nothing (no fault in force, no
    /// byte waiting) and a PING on the same connection has been answered, so the call that threw has reached Redis or
    /// never will. A timed-out call can otherwise still arrive seconds later, behind the next operation on its id.
    /// </summary>
    private static async Task SettleAsync(FaultProxy proxy, IConnectionMultiplexer connection)
    {
        for (var attempt = 1; ; attempt++)
        {
            await proxy.WhenDrainedAsync(FaultProxy.MaxFaultDuration);
            try
            {
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && attempt < 20)
            {
                // A new fault, or the connection is still being restored: wait for the proxy again.
            }
        }
    }

    private static TimeSpan MaxPollDelay(IHost host) =>
        host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SchedulerOptions>>().Value.Worker.MaxPollDelay;

    private static async Task Until(Stopwatch clock, int atMs)
    {
        var wait = atMs - clock.ElapsedMilliseconds;
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(wait)); // pacing of the plan, not synchronisation
        }
    }

    /// <summary>Applies every window of the plan at its time, on its host's proxy or on all; each fault ends by itself.</summary>
    private static async Task<List<FaultRecord>> InjectFaultsAsync(FaultPlan plan, IReadOnlyList<FaultProxy> proxies, Stopwatch clock)
    {
        var records = new ConcurrentQueue<FaultRecord>();
        await Task.WhenAll(plan.Windows.Select(async w =>
        {
            await Until(clock, w.AtMs);
            var start = DateTime.UtcNow.Ticks;
            await Task.WhenAll((w.Host == FaultWindow.AllHosts ? proxies : [proxies[w.Host]]).Select(p => p.RunAsync(w.Fault)));
            records.Enqueue(new FaultRecord(w, start, DateTime.UtcNow.Ticks));
        }));
        return records.OrderBy(r => r.Start).ToList();
    }

    /// <summary>Injects the poison tasks at their times: bad payloads and unknown handlers through a scheduler, broken
    /// envelopes straight into the partition's keys.</summary>
    private static async Task<List<PoisonRecord>> InjectPoisonAsync(IReadOnlyList<PoisonOp> poison, IScheduler scheduler, IDatabase db, int partitions, Stopwatch clock)
    {
        var records = new List<PoisonRecord>();
        foreach (var p in poison)
        {
            await Until(clock, p.AtMs);
            var at = DateTime.UtcNow.Ticks;
            try
            {
                await InjectAsync(p, scheduler, db, partitions);
                records.Add(new PoisonRecord(p, at, null));
            }
            catch (Exception ex)
            {
                records.Add(new PoisonRecord(p, at, ex.GetType().Name + ": " + ex.Message));
            }
        }

        return records;
    }

    private static async Task InjectAsync(PoisonOp p, IScheduler scheduler, IDatabase db, int partitions)
    {
        var payload = new ContentionPayload(1, Behaviour.Fast, 0).Encode();
        var delay = TimeSpan.FromMilliseconds(p.DelayMs);
        switch (p.Kind)
        {
            case PoisonKind.BadPayload:
                await scheduler.ScheduleManyAsync([new ScheduleRequest(new GenericTask(ContentionRegistry.Name, new byte[] { 1, 2, 3 }, p.Id), Delay: delay)]);
                return;
            case PoisonKind.UnknownHandler:
                await scheduler.ScheduleManyAsync([new ScheduleRequest(new GenericTask("contention.missing", payload, p.Id), Delay: delay)]);
                return;
        }

        var tag = "{" + TaskPartitioner.PartitionPrefix(ContentionRun.Prefix, TaskPartitioner.PartitionOf(p.Id, partitions)) + "}";
        var envelope = TaskEnvelope.Write(new GenericTask(ContentionRegistry.Name, payload, p.Id));
        byte[]? stored = p.Kind switch
        {
            PoisonKind.Garbage or PoisonKind.StreamGarbage => [0xC1, 0x00, 0xFF, .. "not an envelope"u8],
            PoisonKind.Truncated => envelope[..(envelope.Length / 2)],
            PoisonKind.WrongVersion => WrongVersion(p.Id, payload),
            PoisonKind.ForeignId => TaskEnvelope.Write(new GenericTask(ContentionRegistry.Name, payload, p.Id + "-other")),
            _ => null, // MissingDetails
        };
        var dueMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + p.DelayMs;
        if (p.Kind == PoisonKind.StreamGarbage)
        {
            // As promote.lua adds an entry: the entry and its task's index, in one step.
            await db.ScriptEvaluateAsync(
                "local e = redis.call('XADD', KEYS[1], '*', 't', ARGV[1], 'e', ARGV[2], 'd', ARGV[3]) redis.call('HSET', KEYS[2], ARGV[1], e) return e",
                [(RedisKey)(tag + ":stream"), (RedisKey)(tag + ":queued")],
                [p.Id, stored, dueMs]);
            return;
        }

        var write = db.CreateTransaction();
        if (stored is not null)
        {
            _ = write.HashSetAsync(tag + ":tasks", p.Id, stored);
        }

        _ = write.SortedSetAddAsync(tag + ":pending", p.Id, dueMs);
        if (!await write.ExecuteAsync())
        {
            throw new InvalidOperationException("the poison write was not applied");
        }
    }

    private static byte[] WrongVersion(string id, byte[] payload)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write(2);
        writer.Write(id);
        writer.Write(ContentionRegistry.Name);
        writer.Write(payload);
        writer.Write(1);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// From the end of the faults until the store is quiet (the state is in Redis, written by the workers: no event to
    /// await, so it is polled): tracks every piece of due work (a due pending task, an expired lease, a stream entry idle
    /// past the visibility timeout or not yet read) and how long it waits while some worker has a free handler slot.
    /// Ends when <paramref name="work"/> is done and the store has been quiet, with no handler running, for 300 ms.
    /// </summary>
    private static async Task<(List<OverdueRecord> Overdue, StoreSnapshot Store, bool Quiet)> MonitorAsync(
        IDatabase db, FaultVariant variant, ContentionPlan plan, MemoryHistory history, Task work)
    {
        var open = new Dictionary<string, OverdueRecord>(StringComparer.Ordinal);
        var done = new List<OverdueRecord>();
        var visibilityMs = (long)ContentionPlan.Lease.TotalMilliseconds;
        StoreSnapshot snapshot = StoreSnapshot.Empty;
        Stopwatch? calm = null, sinceWork = null;
        var last = DateTime.UtcNow.Ticks;
        while (true)
        {
            var now = DateTime.UtcNow.Ticks;
            var runs = history.Runs;
            var free = Enumerable.Range(0, Workers).Any(i => runs.Count(r => r.Host == "h" + i && r.End is null) < plan.MaxConcurrency);
            var due = await DueWorkAsync(db, variant, visibilityMs);
            foreach (var item in due)
            {
                open[item] = open.TryGetValue(item, out var o)
                    ? o with { LastSeen = now, FreeMs = o.FreeMs + (free ? (now - last) / (double)TimeSpan.TicksPerMillisecond : 0) }
                    : new OverdueRecord(item, now, now, 0);
            }

            foreach (var gone in open.Keys.Except(due).ToList())
            {
                done.Add(open[gone]);
                open.Remove(gone);
            }

            last = now;
            snapshot = await StoreInspector.SnapshotAsync(db, ContentionRun.Prefix, variant.Partitions);
            if (work.IsCompleted)
            {
                sinceWork ??= Stopwatch.StartNew();
                calm = snapshot.Quiet && history.Active == 0 ? calm ?? Stopwatch.StartNew() : null;
                if (calm?.Elapsed >= TimeSpan.FromMilliseconds(300) || sinceWork.Elapsed > ContentionRun.QuietTimeout)
                {
                    done.AddRange(open.Values);
                    return (done.Where(o => o.FreeMs > 0).ToList(), snapshot, calm is not null);
                }
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>The due work in the store now, one name per item (the same item keeps its name while it waits).</summary>
    private static async Task<HashSet<string>> DueWorkAsync(IDatabase db, FaultVariant variant, long visibilityMs)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        var nowMs = (long.Parse((string)time[0]!, CultureInfo.InvariantCulture) * 1000) + (long.Parse((string)time[1]!, CultureInfo.InvariantCulture) / 1000);
        var items = new HashSet<string>(StringComparer.Ordinal);
        for (var p = 0; p < variant.Partitions; p++)
        {
            var tag = "{" + TaskPartitioner.PartitionPrefix(ContentionRun.Prefix, p) + "}";
            foreach (var e in await db.SortedSetRangeByScoreWithScoresAsync(tag + ":pending", stop: nowMs, take: 200))
            {
                items.Add($"pending {e.Element} due {(long)e.Score}");
            }

            foreach (var e in await db.SortedSetRangeByScoreWithScoresAsync(tag + ":inflight", stop: nowMs, take: 200))
            {
                items.Add($"lease of {e.Element} expired at {(long)e.Score}");
            }

            if (!variant.Streams)
            {
                continue;
            }

            RedisKey stream = tag + ":stream";
            if (!await db.KeyExistsAsync(stream))
            {
                continue;
            }

            var groups = await db.StreamGroupInfoAsync(stream);
            if (groups.FirstOrDefault(g => g.Name == RedisKeys.StreamGroup) is not { Name: not null } group)
            {
                continue;
            }

            foreach (var entry in (RedisResult[])(await db.ExecuteAsync("XPENDING", stream, RedisKeys.StreamGroup, "IDLE", visibilityMs, "-", "+", 200))!)
            {
                var fields = (RedisResult[])entry!;
                items.Add($"stream entry {fields[0]} of {fields[1]} idle past the visibility timeout");
            }

            foreach (var entry in await db.StreamRangeAsync(stream, "(" + group.LastDeliveredId, "+", 200))
            {
                items.Add($"stream entry {entry.Id} ({entry["t"]}) not read");
            }
        }

        return items;
    }

    private static void WriteHistory(FaultOutcome outcome, IReadOnlyList<FaultProxy> proxies)
    {
        var h = outcome.History;
        var c = h.Contention;
        var sb = new StringBuilder();
        sb.AppendLine(outcome.FailureMessage(int.MaxValue));
        sb.AppendLine("== faults (as applied) ==");
        foreach (var f in h.Faults)
        {
            sb.AppendLine($"  {c.Ms(f.Start)}..{c.Ms(f.End)} {f.Window}{(f.ThreatensLeases ? " (threatens leases)" : "")}");
        }

        sb.AppendLine(string.Join(Environment.NewLine, proxies.Select(p => "  " + p)));
        sb.AppendLine("== poison ==");
        foreach (var p in h.Poison)
        {
            sb.AppendLine($"  {c.Ms(p.At)} {p.Op}{(p.Error is null ? "" : " injection failed: " + p.Error)} -> {(c.DeadLetters.TryGetValue(p.Op.Id, out var d) ? "dead letter: " + d.Reason : "not dead-lettered")}");
        }

        sb.AppendLine($"== due work after the faults ended at {c.Ms(h.FaultsEnded)} (waits with a free worker slot) ==");
        foreach (var o in h.Overdue.OrderByDescending(o => o.FreeMs).Take(50))
        {
            sb.AppendLine($"  {o.FreeMs:F0} ms: {o.Item} [{c.Ms(o.FirstSeen)}..{c.Ms(o.LastSeen)}]");
        }

        ContentionRun.AppendHistory(sb, c);
        File.WriteAllText(outcome.HistoryFile!, sb.ToString());
    }
}
