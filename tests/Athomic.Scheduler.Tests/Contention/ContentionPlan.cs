using Athomic.Scheduler.Testing.Contention;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>One operation of a plan: schedule a version of an id, or cancel the id.</summary>
/// <param name="AtMs">When the driver issues it (ms after the start; per id, never before the previous op on that id returned).</param>
/// <param name="Id">The task id.</param>
/// <param name="Cancel">A cancel instead of a schedule.</param>
/// <param name="Version">For a schedule: the version (1, 2, … per id).</param>
/// <param name="DelayMs">For a schedule: the delay.</param>
/// <param name="Payload">For a schedule: version and behaviour.</param>
/// <param name="Refuse">For a schedule: with <see cref="ExistingTaskPolicy.Refuse"/>.</param>
/// <param name="Client">Which host's scheduler issues it.</param>
public sealed record PlanOp(int AtMs, string Id, bool Cancel, int Version, int DelayMs, ContentionPayload Payload, bool Refuse, int Client)
{
    public bool FarFuture => DelayMs >= ContentionPlan.FarFutureMs;

    public override string ToString() => Cancel
        ? $"@{AtMs}ms cancel {Id}"
        : $"@{AtMs}ms schedule {Id} v{Version} delay {DelayMs}ms {Payload.Behaviour}({Payload.Arg}){(Refuse ? " refuse" : "")}";
}

/// <summary>A SIGKILL of worker slot <paramref name="Slot"/> at <paramref name="AtMs"/> (variant B), restarted at once.</summary>
public sealed record PlanKill(int AtMs, int Slot);

/// <summary>
/// A random, reproducible mix of schedules, reschedules (also of running ids), cancels and handler behaviours, drawn
/// from one seed with <see cref="Random"/> (the same seed gives the same plan).
/// </summary>
public sealed record ContentionPlan(int Seed, int Ids, int MaxConcurrency, IReadOnlyList<PlanOp> Ops, IReadOnlyList<PlanKill> Kills, int DurationMs)
{
    /// <summary>Delays at least this long are "future tasks": never due during a run, left pending at the end.</summary>
    public const int FarFutureMs = 3_600_000;

    /// <summary>
    /// The lease (and streams visibility timeout) the harness runs with. Twice the validator's minimum: a renewal every
    /// third of it must not miss on a loaded 2-core CI machine, or a live hanging handler would count as stalled.
    /// </summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    public static ContentionPlan Generate(int seed, int workers, bool kills, double scale = 1.0)
    {
        var rng = new Random(seed);
        var ids = rng.Next(20, 41);
        var opCount = (int)(rng.Next(200, 401) * scale);
        var duration = (int)(rng.Next(10_000, 14_000) * scale);
        var maxConcurrency = rng.Next(2, 5);
        var leaseMs = (int)Lease.TotalMilliseconds;

        // A few hot ids take most operations, so reschedules and cancels often meet a running version.
        var weights = Enumerable.Range(0, ids).Select(i => 1.0 / (1 + i)).ToArray();
        var total = weights.Sum();
        string PickId()
        {
            var r = rng.NextDouble() * total;
            for (var i = 0; i < ids; i++)
            {
                r -= weights[i];
                if (r <= 0)
                {
                    return "c" + i;
                }
            }

            return "c" + (ids - 1);
        }

        // Times cluster into bursts (a backlog) with quieter stretches between them.
        var times = new List<int>(opCount);
        while (times.Count < opCount)
        {
            var burstAt = rng.Next(duration);
            var burst = rng.Next(1, 25);
            for (var i = 0; i < burst && times.Count < opCount; i++)
            {
                times.Add(Math.Min(duration, burstAt + rng.Next(0, 300)));
            }
        }

        times.Sort();
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        var ops = new List<PlanOp>(opCount);
        foreach (var at in times)
        {
            var id = PickId();
            var client = rng.Next(workers);
            if (versions.ContainsKey(id) && rng.NextDouble() < 0.15)
            {
                ops.Add(new PlanOp(at, id, Cancel: true, 0, 0, default, false, client));
                continue;
            }

            var version = versions[id] = versions.GetValueOrDefault(id) + 1;
            var d = rng.NextDouble();
            var delay = d < 0.55 ? 0 : d < 0.85 ? rng.Next(1, 500) : d < 0.96 ? rng.Next(500, 2500) : FarFutureMs;
            var b = rng.NextDouble();
            var payload = b < 0.30 ? new ContentionPayload(version, Behaviour.Fast, 0)
                : b < 0.55 ? new ContentionPayload(version, Behaviour.Slow, rng.Next(40, 400))
                : b < 0.70 ? new ContentionPayload(version, Behaviour.ThrowFirst, rng.Next(1, ContentionRegistry.MaxAttempts))
                : b < 0.80 ? new ContentionPayload(version, Behaviour.AlwaysThrow, 0)
                : new ContentionPayload(version, Behaviour.Hang, rng.Next(leaseMs * 3 / 2, leaseMs * 5 / 2));
            ops.Add(new PlanOp(at, id, Cancel: false, version, delay, payload, Refuse: rng.NextDouble() < 0.08, client));
        }

        var killList = new List<PlanKill>();
        if (kills)
        {
            for (var at = rng.Next(1500, 3000); at < duration; at += rng.Next(1500, 4000))
            {
                killList.Add(new PlanKill(at, rng.Next(workers)));
            }
        }

        return new ContentionPlan(seed, ids, maxConcurrency, ops, killList, duration);
    }

    public override string ToString() =>
        $"seed {Seed}: {Ops.Count} ops on {Ids} ids over {DurationMs} ms, MaxConcurrency {MaxConcurrency}, {Kills.Count} kills";
}
