using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Contention;

namespace Athomic.Scheduler.Tests.Faults;

/// <summary>A fault on the proxy of worker <paramref name="Host"/> (or, with -1, of every worker: a Redis-side outage) from <paramref name="AtMs"/>.</summary>
public sealed record FaultWindow(int AtMs, int Host, Fault Fault)
{
    public const int AllHosts = -1;

    public int EndMs => AtMs + (int)Fault.Duration.TotalMilliseconds;

    public override string ToString() => $"@{AtMs}..{EndMs}ms {(Host == AllHosts ? "all hosts" : "h" + Host)}: {Fault}";
}

/// <summary>How a poison task is broken.</summary>
public enum PoisonKind
{
    /// <summary>Scheduled for the harness's handler with a payload it cannot read: the handler throws on every attempt.</summary>
    BadPayload,

    /// <summary>Scheduled for a handler no host registers.</summary>
    UnknownHandler,

    /// <summary>Stored details that are not MessagePack (written straight into Redis).</summary>
    Garbage,

    /// <summary>A valid envelope cut in half (written straight into Redis).</summary>
    Truncated,

    /// <summary>An envelope of a version this build does not read (written straight into Redis).</summary>
    WrongVersion,

    /// <summary>A valid envelope of another task id (written straight into Redis).</summary>
    ForeignId,

    /// <summary>A pending entry without details (written straight into Redis).</summary>
    MissingDetails,

    /// <summary>A stream entry with a garbage envelope (streams broker only; written straight into the stream).</summary>
    StreamGarbage,
}

/// <summary>A poison task <paramref name="Id"/> of kind <paramref name="Kind"/>, injected at <paramref name="AtMs"/>, due <paramref name="DelayMs"/> later.</summary>
public sealed record PoisonOp(int AtMs, string Id, PoisonKind Kind, int DelayMs)
{
    /// <summary>What its dead letter's reason must say.</summary>
    public string ExpectedReason => Kind switch
    {
        PoisonKind.BadPayload => "not a contention payload",
        PoisonKind.UnknownHandler => "No handler named",
        PoisonKind.MissingDetails => "details are missing",
        PoisonKind.ForeignId => "belongs to task",
        _ => "Unreadable envelope",
    };

    public override string ToString() => $"@{AtMs}ms poison {Id} {Kind} due +{DelayMs}ms";
}

/// <summary>
/// A seeded, random fault schedule over a contention plan: stalls past the client timeout and past the lease, latency
/// and resets, on one worker's connection or on all, upstream, downstream or both; and poison tasks. Drawn from its
/// own <see cref="Random"/> (seeded from the contention seed), so the contention plan of a seed stays the same.
/// </summary>
public sealed record FaultPlan(int Seed, IReadOnlyList<FaultWindow> Windows, IReadOnlyList<PoisonOp> Poison)
{
    /// <summary>The workers' connection timeout (syncTimeout and asyncTimeout): half the lease, as start-up requires.</summary>
    public static readonly TimeSpan ClientTimeout = ContentionPlan.Lease / 2;

    /// <summary>When the last fault ends (ms after the start).</summary>
    public int FaultsEndMs => Windows.Count == 0 ? 0 : Windows.Max(w => w.EndMs);

    public static FaultPlan Generate(int seed, int hosts, int durationMs, bool streams)
    {
        var rng = new Random(unchecked(seed * 31 + 0x5EED));
        var lease = (int)ContentionPlan.Lease.TotalMilliseconds;
        var timeout = (int)ClientTimeout.TotalMilliseconds;
        FaultDirection Direction()
        {
            var d = rng.NextDouble();
            return d < 0.5 ? FaultDirection.Both : d < 0.75 ? FaultDirection.Upstream : FaultDirection.Downstream;
        }

        var windows = new List<FaultWindow>();
        for (var at = rng.Next(500, 1500); at < durationMs - 1000; at += rng.Next(400, 2500))
        {
            var host = rng.NextDouble() < 0.25 ? FaultWindow.AllHosts : rng.Next(hosts);
            var k = rng.NextDouble();
            var fault = k < 0.25 ? new Fault(FaultKind.Stall, Direction(), TimeSpan.FromMilliseconds(rng.Next(timeout + 100, lease - 200)))       // past the client timeout
                : k < 0.50 ? new Fault(FaultKind.Stall, Direction(), TimeSpan.FromMilliseconds(rng.Next(lease + 300, 2 * lease + 1000)))            // past the lease
                : k < 0.75 ? new Fault(FaultKind.Latency, Direction(), TimeSpan.FromMilliseconds(rng.Next(1000, 4000)), TimeSpan.FromMilliseconds(rng.Next(20, 400)))
                : new Fault(FaultKind.Reset, Direction(), TimeSpan.FromMilliseconds(rng.NextDouble() < 0.4 ? 0 : rng.Next(200, 1500)));
            windows.Add(new FaultWindow(at, host, fault));
        }

        var kinds = Enum.GetValues<PoisonKind>().Where(p => streams || p != PoisonKind.StreamGarbage).ToArray();
        var poison = Enumerable.Range(0, rng.Next(4, 10))
            .Select(i => new PoisonOp(rng.Next(durationMs), "p" + i, kinds[rng.Next(kinds.Length)], rng.NextDouble() < 0.5 ? 0 : rng.Next(1, 1500)))
            .OrderBy(p => p.AtMs)
            .ToList();
        return new FaultPlan(seed, windows, poison);
    }

    public override string ToString() =>
        $"{Windows.Count} faults ({string.Join(", ", Windows.GroupBy(w => w.Fault.Kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}) until {FaultsEndMs} ms, {Poison.Count} poison tasks";
}
