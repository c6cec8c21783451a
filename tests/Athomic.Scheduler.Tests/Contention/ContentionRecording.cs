using System.Collections.Concurrent;
using System.Globalization;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Testing.Contention;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>The run history of in-process hosts, in memory (outside Redis); one <see cref="IRunSink"/> per host.</summary>
public sealed class MemoryHistory
{
    private readonly ConcurrentDictionary<long, RunRecord> _runs = new();
    private long _seq;
    private int _active;

    public int Active => Volatile.Read(ref _active);

    /// <summary>The runs so far, in start order; safe while runs are being recorded (a snapshot of the dictionary).</summary>
    public IReadOnlyList<RunRecord> Runs => _runs.ToArray().OrderBy(r => r.Key).Select(r => r.Value).ToList();

    public IRunSink SinkFor(string host) => new Sink(this, host);

    private sealed class Sink(MemoryHistory history, string host) : IRunSink
    {
        public long Started(string id, int version, int attempt)
        {
            var seq = Interlocked.Increment(ref history._seq);
            Interlocked.Increment(ref history._active);
            history._runs[seq] = new RunRecord(id, version, attempt, host, DateTime.UtcNow.Ticks, null, null);
            return seq;
        }

        public void Ended(long token, RunOutcome outcome)
        {
            history._runs[token] = history._runs[token] with { End = DateTime.UtcNow.Ticks, Outcome = outcome };
            Interlocked.Decrement(ref history._active);
        }
    }
}

/// <summary>Reads the run files the chaos workers append (<see cref="FileRunSink"/>), one per process incarnation.</summary>
public static class RunFiles
{
    public static List<RunRecord> Read(string path, string host)
    {
        var starts = new Dictionary<long, RunRecord>();
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split(' ');
            if (f is ["S", var seq, var id, var version, var attempt, var start])
            {
                starts[long.Parse(seq, CultureInfo.InvariantCulture)] = new RunRecord(id, int.Parse(version, CultureInfo.InvariantCulture), int.Parse(attempt, CultureInfo.InvariantCulture), host, long.Parse(start, CultureInfo.InvariantCulture), null, null);
            }
            else if (f is ["E", var eseq, var outcome, var end] && starts.TryGetValue(long.Parse(eseq, CultureInfo.InvariantCulture), out var r))
            {
                starts[long.Parse(eseq, CultureInfo.InvariantCulture)] = r with { End = long.Parse(end, CultureInfo.InvariantCulture), Outcome = (RunOutcome)int.Parse(outcome, CultureInfo.InvariantCulture) };
            }

            // A line cut by a SIGKILL is ignored: a run whose end line is missing never ended.
        }

        return starts.OrderBy(s => s.Key).Select(s => s.Value).ToList();
    }
}

/// <summary>Reads the end state with raw Redis commands over every partition's keys (missing keys are empty).</summary>
public static class StoreInspector
{
    /// <summary>Keys that must be empty once the schedule is quiet; <c>:lease</c> and <c>:deferred</c> are main's new keys.</summary>
    private static readonly string[] MustBeEmpty = ["inflight", "reclaims", "stream", "queued", "lease", "deferred", "parked", "parked:by"];

    public static async Task<StoreSnapshot> SnapshotAsync(IDatabase db, string prefix, int partitions)
    {
        var time = await db.ExecuteAsync("TIME");
        var parts = (RedisResult[])time!;
        var nowMs = (long.Parse((string)parts[0]!, CultureInfo.InvariantCulture) * 1000) + (long.Parse((string)parts[1]!, CultureInfo.InvariantCulture) / 1000);
        var pending = new Dictionary<string, long>(StringComparer.Ordinal);
        var tasks = new List<string>();
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        var mustBeEmpty = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var p = 0; p < partitions; p++)
        {
            var tag = "{" + TaskPartitioner.PartitionPrefix(prefix, p) + "}";
            foreach (var e in await db.SortedSetRangeByRankWithScoresAsync(tag + ":pending"))
            {
                pending[(string)e.Element!] = (long)e.Score - nowMs;
            }

            foreach (var entry in await db.HashGetAllAsync(tag + ":tasks"))
            {
                tasks.Add((string)entry.Name!);
                if (VersionOf(entry.Value) is { } version)
                {
                    versions[(string)entry.Name!] = version;
                }
            }

            foreach (var suffix in MustBeEmpty)
            {
                RedisKey key = tag + ":" + suffix;
                mustBeEmpty[key!] = await MembersAsync(db, key);
            }
        }

        // Flow control's live slots: none once every run ended (a slot left behind would hold the limit until it expires).
        RedisKey slots = "{" + prefix + "#flow}:slots:" + ContentionRegistry.LimitedName;
        mustBeEmpty[slots!] = (await db.SortedSetRangeByScoreWithScoresAsync(slots, nowMs + 1)).Select(e => $"{e.Element}={e.Score}").ToList();
        return new StoreSnapshot(pending, tasks, mustBeEmpty, versions.Where(v => pending.ContainsKey(v.Key)).ToDictionary(StringComparer.Ordinal));
    }

    /// <summary>The version a stored envelope's payload names; <see langword="null"/> when it is not readable.</summary>
    private static int? VersionOf(RedisValue stored)
    {
        try
        {
            return ContentionPayload.Decode(TaskEnvelope.Read((byte[])stored!).Payload.Span).Version;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TaskEnvelopeException)
        {
            return null;
        }
    }

    private static async Task<IReadOnlyList<string>> MembersAsync(IDatabase db, RedisKey key)
    {
        switch (await db.KeyTypeAsync(key))
        {
            case RedisType.None:
                return [];
            case RedisType.SortedSet:
                return (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score}").ToList();
            case RedisType.Hash:
                return (await db.HashGetAllAsync(key)).Select(e => $"{e.Name}={(e.Value.Length() > 40 ? "…" : e.Value)}").ToList();
            case RedisType.Set:
                return (await db.SetMembersAsync(key)).Select(m => (string)m!).ToList();
            case RedisType.Stream:
                return (await db.StreamRangeAsync(key, count: 100)).Select(e => $"{e.Id}:{e["t"]}").ToList();
            default:
                return ["(a key of type " + await db.KeyTypeAsync(key) + ")"];
        }
    }
}
