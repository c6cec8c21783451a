using Athomic.Scheduler.Testing.Contention;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>One handler run as its handler recorded it (outside Redis). Times are UTC ticks.</summary>
/// <param name="Host">The host (or worker process incarnation) it ran in.</param>
/// <param name="End">When it ended; <see langword="null"/> when it never did (its process was killed, or it still runs).</param>
public sealed record RunRecord(string Id, int Version, int Attempt, string Host, long Start, long? End, RunOutcome? Outcome);

/// <summary>What one plan operation returned. Times are UTC ticks.</summary>
/// <param name="Status">A schedule's status (4 = held back behind a claimed run, named RescheduledAfterRun in main).</param>
/// <param name="Cancelled">A cancel's result.</param>
/// <param name="Error">The exception when the call failed (its effect is then unknown).</param>
public sealed record OpResult(PlanOp Op, ScheduleStatus? Status, bool? Cancelled, long Invoked, long Returned, string? Error);

/// <summary>A dead letter at the end of the run.</summary>
/// <param name="Version">The version its envelope's payload names, when readable.</param>
public sealed record DeadLetterRecord(string Id, int? Version, string Reason)
{
    /// <summary>
    /// Every dead-lettered version of the id, the newest (<see cref="Version"/>) included: a task dead-lettered again
    /// keeps its earlier dead letters.
    /// </summary>
    public IReadOnlyCollection<int> Versions { get; init; } = Version is { } v ? [v] : [];
}

/// <summary>The store at the end, read with raw Redis commands over every partition's keys.</summary>
/// <param name="PendingDueInMs">Pending id → its due time minus the server's time, in ms.</param>
/// <param name="Tasks">Ids with stored details (the <c>:tasks</c> hash).</param>
/// <param name="MustBeEmpty">Key → what it holds, for the keys that must be empty at the end (in-flight leases,
/// reclaims, stream, queued, lease, deferred).</param>
/// <param name="PendingVersions">Pending id → the version its stored details name, when readable: what the final state
/// shows of a write whose call threw.</param>
public sealed record StoreSnapshot(
    IReadOnlyDictionary<string, long> PendingDueInMs,
    IReadOnlyCollection<string> Tasks,
    IReadOnlyDictionary<string, IReadOnlyList<string>> MustBeEmpty,
    IReadOnlyDictionary<string, int>? PendingVersions = null)
{
    /// <summary>A pending task due later than this is a "future task" that may stay at the end.</summary>
    public const long FutureMs = 600_000;

    public static StoreSnapshot Empty { get; } = new(new Dictionary<string, long>(), [], new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>Only future tasks pending, nothing leased, reclaimed, queued or held back.</summary>
    public bool Quiet => PendingDueInMs.Values.All(d => d > FutureMs) && MustBeEmpty.Values.All(v => v.Count == 0);

    public override string ToString() =>
        $"pending {PendingDueInMs.Count} (due soon: {PendingDueInMs.Count(p => p.Value <= FutureMs)}), tasks {Tasks.Count}, " +
        string.Join(", ", MustBeEmpty.Where(k => k.Value.Count > 0).Select(k => $"{k.Key} {k.Value.Count}"));
}

/// <summary>Everything the checker judges: the operations and their results, the runs, the dead letters and the end state.</summary>
/// <param name="KilledHosts">Hosts that were SIGKILLed (variant B); empty without kills.</param>
/// <param name="T0">A time origin (UTC ticks) for messages.</param>
/// <param name="FaultsInjected">The run injected faults (kills, network faults): operations whose call threw are then
/// expected, and no cap holds their share (see <see cref="ContentionChecker.MaxUnknownShare"/>).</param>
public sealed record ContentionHistory(
    IReadOnlyList<OpResult> Ops,
    IReadOnlyList<RunRecord> Runs,
    IReadOnlyDictionary<string, DeadLetterRecord> DeadLetters,
    StoreSnapshot Store,
    IReadOnlySet<string> KilledHosts,
    long T0,
    bool FaultsInjected = false)
{
    public string Ms(long ticks) => ((ticks - T0) / TimeSpan.TicksPerMillisecond).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";

    public string Describe(RunRecord r) =>
        $"v{r.Version}#{r.Attempt}@{r.Host} [{Ms(r.Start)}..{(r.End is { } e ? Ms(e) : "never")}] {r.Outcome?.ToString() ?? "-"}";
}
