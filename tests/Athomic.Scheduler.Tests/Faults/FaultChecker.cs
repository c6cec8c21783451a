using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Testing.Contention;
using Athomic.Scheduler.Tests.Contention;

namespace Athomic.Scheduler.Tests.Faults;

/// <summary>A fault window as the run applied it (UTC ticks).</summary>
public sealed record FaultRecord(FaultWindow Window, long Start, long End)
{
    /// <summary>Whether the fault acted on the connection of <paramref name="host"/> (h0, h1, …).</summary>
    public bool On(string host) => Window.Host == FaultWindow.AllHosts || host == "h" + Window.Host.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Whether it can cost a worker a claim: a stall either way (of its commands: renewals do not reach Redis; of the
    /// replies: a claim or stream read made meanwhile is answered only after it lapsed and another worker took the task,
    /// and the worker then starts it on a lost claim), a reset, or a latency past the client timeout.
    /// </summary>
    public bool ThreatensLeases => Window.Fault.Kind switch
    {
        FaultKind.Stall or FaultKind.Reset => true,
        _ => Window.Fault.Latency * (Window.Fault.Direction == FaultDirection.Both ? 2 : 1) >= FaultPlan.ClientTimeout,
    };
}

/// <summary>A poison task as the run injected it (UTC ticks); <paramref name="Error"/> when injecting it failed.</summary>
public sealed record PoisonRecord(PoisonOp Op, long At, string? Error);

/// <summary>
/// Work the store held as due (a due pending task, an expired lease, a stream entry idle past the visibility timeout or
/// not yet read) after the faults ended, seen from <paramref name="FirstSeen"/> to <paramref name="LastSeen"/>;
/// <paramref name="FreeMs"/> of that while some worker had a free handler slot.
/// </summary>
public sealed record OverdueRecord(string Item, long FirstSeen, long LastSeen, double FreeMs);

/// <summary>Everything the fault checks judge: the contention history of the run, the faults, the poison tasks and the overdue work.</summary>
/// <param name="FaultsEnded">When the last fault ended (UTC ticks).</param>
public sealed record FaultHistory(
    ContentionHistory Contention,
    IReadOnlyList<FaultRecord> Faults,
    IReadOnlyList<PoisonRecord> Poison,
    IReadOnlyList<OverdueRecord> Overdue,
    long FaultsEnded,
    TimeSpan Lease,
    TimeSpan MaxPollDelay);

/// <summary>
/// Checks a run under injected faults with the contention harness's own <see cref="ContentionChecker"/>, plus what only
/// faults add:
/// <list type="bullet">
/// <item>Runs whose lease was lost in a fault: of two runs of one id that overlap, repeat an attempt or complete a version
/// twice, one is exempt from the exactly-once rules (the checker treats it as a run on a killed host) only when a fault
/// that threatens leases (<see cref="FaultRecord.ThreatensLeases"/>) acted on its host while it could cost it its claim:
/// from two leases (plus <see cref="Slack"/>) before the first run started until the second started, or, when the first
/// ended before, until a lease (plus <see cref="Slack"/>) after its end (its ack or retry was lost). If they overlapped,
/// the exempt run must also have ended by a renewal period (a third of the lease) plus <see cref="Slack"/> after its
/// host was first free of any fault for a renewal period: the runtime cancels a run whose claim it finds lost
/// (<c>TaskLease.MarkLost</c>), else
/// <see cref="Rules.LostRunNotCancelled"/>. Every other overlap or duplicate stays a violation of the contention
/// checker. Of the two, the run whose worker was faulted last is taken for the lost one. Likewise for flow control: past
/// the limit, one of the limited runs going must be a run whose slot a fault on its worker can have cost, and it is
/// exempt from the limit on the same terms.</item>
/// <item>A run on a lost claim may also start after its version was replaced or cancelled (<see cref="StaleStart"/>): its
/// worker held the claim through a fault and did not yet know it was lost.</item>
/// <item>Every poison task is dead-lettered with the reason its kind calls for, and none runs to completion.</item>
/// <item>Nothing stuck: after the faults ended, no due work waits longer than a lease plus <c>MaxPollDelay</c> (plus
/// <see cref="Slack"/>) while a worker has a free handler slot.</item>
/// </list>
/// Calls that threw are unknown outcomes, as the contention checker treats them.
/// </summary>
public static class FaultChecker
{
    /// <summary>The host label of a run whose lease was lost in a fault (the contention checker exempts it as a killed host's).</summary>
    public const string LeaseLostSuffix = "/lease-lost";

    /// <summary>What a loaded 2-core CI machine may add to a timed bound (thread-pool and process scheduling, reconnection).</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    /// <summary>The names of the rules this checker adds, as they appear in its violations.</summary>
    public static class Rules
    {
        public const string LostRunNotCancelled = "lost-run-not-cancelled";
        public const string PoisonNotDeadLettered = "poison-not-dead-lettered";
        public const string PoisonWrongReason = "poison-wrong-reason";
        public const string PoisonRan = "poison-ran";
        public const string Stuck = "stuck";
    }

    public static List<string> Check(FaultHistory h)
    {
        var (contention, violations) = ExemptLostLeases(h);
        violations.AddRange(ContentionChecker.Check(contention).Where(v => !StaleStart.IsMatch(v)));
        CheckPoison(h, violations);
        CheckStuck(h, violations);
        return violations;
    }

    /// <summary>
    /// A run on a lost claim that started after its version was replaced or cancelled: its worker could not yet know the
    /// claim was lost (it held it in its queue through a fault), so it started it (at least once: the version ran, or
    /// runs, under the newer claim too). Not a violation for such a run, which stays bound by
    /// <see cref="Rules.LostRunNotCancelled"/>; a run on a live claim that starts late still is.
    /// </summary>
    public static readonly System.Text.RegularExpressions.Regex StaleStart = new(
        @"^\[[^\]]+\] " + ContentionChecker.Rules.RanAfterRemoved + @": v\d+#\d+@\S+" + System.Text.RegularExpressions.Regex.Escape(LeaseLostSuffix) + @" \[",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>How long due work may wait after the faults ended while a worker has a free slot.</summary>
    public static TimeSpan StuckBound(FaultHistory h) => h.Lease + h.MaxPollDelay + Slack;

    /// <summary>
    /// The contention history with each run whose lease was lost in a fault moved to host <c>{host}/lease-lost</c>, which
    /// is added to the exempt hosts; and the violations of such runs that overlapped and were not cancelled in time.
    /// </summary>
    /// <remarks>
    /// Of two conflicting runs either may hold the lost claim: the one that started first (its lease expired, the task was
    /// claimed again), or the one that started second (its claim waited for a handler slot, expired, and another worker
    /// claimed and started the task first). The lost one is the one a fault on its host explains, preferring the one that
    /// was also cancelled in time; when neither fault explains the conflict it stays for the contention checker.
    /// </remarks>
    public static (ContentionHistory History, List<string> Violations) ExemptLostLeases(FaultHistory h)
    {
        var c = h.Contention;
        var violations = new List<string>();
        var lost = new HashSet<RunRecord>(ReferenceEqualityComparer.Instance);
        var lease = h.Lease.Ticks;
        foreach (var group in c.Runs.GroupBy(r => r.Id, StringComparer.Ordinal))
        {
            var runs = group.OrderBy(r => r.Start).ToList();
            for (var j = 1; j < runs.Count; j++)
            {
                for (var i = 0; i < j; i++)
                {
                    var (a, b) = (runs[i], runs[j]);
                    if (lost.Contains(a) || lost.Contains(b) || !Conflicts(a, b))
                    {
                        continue;
                    }

                    // Either lease can have been lost from a claim made before the runs (up to two leases before) until the
                    // second run began, or, when the first run ended before it, until that run's end (ack or retry) was due
                    // to have reached Redis, a lease later.
                    var overlap = a.End is not { } end || end > b.Start;
                    var until = overlap ? b.Start : Math.Min(b.Start, a.End!.Value + lease + Slack.Ticks);
                    PickLost(h, [a, b], a.Start - (2 * lease) - Slack.Ticks, until, b.Start, overlap, "lease", lost, violations);
                }
            }
        }

        // Flow control: a run whose slot lapsed in a fault (its renewals did not get through) may go on beside the runs
        // that took its room, until its worker can renew again; past the limit, one of the runs going must be such a run.
        var limited = c.Runs.Where(r => ContentionRegistry.IsLimited(r.Id) && !c.KilledHosts.Contains(r.Host)).OrderBy(r => r.Start).ToList();
        foreach (var run in limited)
        {
            var going = limited.Where(r => !lost.Contains(r) && r.Start <= run.Start && (r.End is not { } e || e > run.Start)).ToList();
            if (going.Count > ContentionRegistry.Limit)
            {
                PickLost(h, going, going.Min(r => r.Start) - (2 * lease) - Slack.Ticks, run.Start, run.Start, overlap: true, "slot", lost, violations);
            }
        }

        if (lost.Count == 0)
        {
            return (c, violations);
        }

        var runsOut = c.Runs.Select(r => lost.Contains(r) ? r with { Host = r.Host + LeaseLostSuffix } : r).ToList();
        var exempt = c.KilledHosts.Concat(lost.Select(r => r.Host + LeaseLostSuffix)).ToHashSet(StringComparer.Ordinal);
        return (c with { Runs = runsOut, KilledHosts = exempt }, violations);
    }

    /// <summary>
    /// Of <paramref name="runs"/>, marks lost the one whose claim (or slot) a fault on its worker between
    /// <paramref name="from"/> and <paramref name="until"/> can have cost: the one whose worker was faulted last, preferring
    /// one that was also cancelled in time when it overlapped (ended within a renewal period plus <see cref="Slack"/> of its
    /// worker being free of faults for a renewal period after <paramref name="at"/>). None when no fault explains any.
    /// </summary>
    private static void PickLost(FaultHistory h, IReadOnlyList<RunRecord> runs, long from, long until, long at, bool overlap, string what, HashSet<RunRecord> lost, List<string> violations)
    {
        var c = h.Contention;
        var period = h.Lease.Ticks / 3;
        var candidates = runs
            .Select(r => (Run: r, LastFault: h.Faults.Where(f => f.On(r.Host) && f.ThreatensLeases && f.Start <= until && f.End >= from).Select(f => Math.Min(f.End, until)).DefaultIfEmpty(long.MinValue).Max()))
            .Where(x => x.LastFault > long.MinValue)
            .OrderByDescending(x => x.LastFault)
            .Select(x => (x.Run, Deadline: HealedAt(h, x.Run.Host, at, period) + period + Slack.Ticks))
            .ToList();
        if (candidates.Count == 0)
        {
            return; // a conflict no fault explains: the contention checker judges it
        }

        var pick = candidates.FirstOrDefault(x => !overlap || x.Run.End is { } e && e <= x.Deadline);
        if (pick.Run is null)
        {
            pick = candidates[0];
            violations.Add($"[{pick.Run.Id}] {Rules.LostRunNotCancelled}: {c.Describe(pick.Run)} ran on after its {what} was lost (at {c.Ms(at)}, beside " +
                           $"{string.Join(", ", runs.Where(r => !ReferenceEquals(r, pick.Run)).Select(c.Describe))}): {pick.Run.Host} was free of faults for a renewal period " +
                           $"from {c.Ms(HealedAt(h, pick.Run.Host, at, period))}, so a renewal should have found it lost and cancelled the run by {c.Ms(pick.Deadline)}");
        }

        lost.Add(pick.Run);
    }

    /// <summary>Whether <paramref name="b"/> (started after <paramref name="a"/>) breaks exactly-once with it: overlaps it,
    /// repeats its attempt, or completes its version again.</summary>
    private static bool Conflicts(RunRecord a, RunRecord b) =>
        a.End is not { } end || end > b.Start ||
        (a.Version == b.Version && (a.Attempt == b.Attempt || (a.Outcome == RunOutcome.Completed && b.Outcome == RunOutcome.Completed)));

    /// <summary>
    /// The first moment from <paramref name="at"/> on after which no fault acts on <paramref name="host"/> for
    /// <paramref name="span"/> (a renewal period): a renewal sent then gets through and its answer back. Every kind counts
    /// here, a stall or latency of the answers too: a renewal that found the claim lost tells its worker only once its
    /// answer arrives.
    /// </summary>
    private static long HealedAt(FaultHistory h, string host, long at, long span)
    {
        var healed = at;
        while (h.Faults.Where(f => f.On(host) && f.Start < healed + span && f.End > healed).Select(f => f.End).DefaultIfEmpty(0).Max() is > 0 and var end)
        {
            healed = end;
        }

        return healed;
    }

    private static void CheckPoison(FaultHistory h, List<string> violations)
    {
        foreach (var p in h.Poison.Where(p => p.Error is null))
        {
            var id = p.Op.Id;
            if (!h.Contention.DeadLetters.TryGetValue(id, out var dead))
            {
                violations.Add($"[{id}] {Rules.PoisonNotDeadLettered}: {p.Op} (injected at {h.Contention.Ms(p.At)}) is not in the dead letters");
            }
            else if (!dead.Reason.Contains(p.Op.ExpectedReason, StringComparison.Ordinal))
            {
                violations.Add($"[{id}] {Rules.PoisonWrongReason}: {p.Op} was dead-lettered with \"{dead.Reason}\", which does not say \"{p.Op.ExpectedReason}\"");
            }

            foreach (var run in h.Contention.Runs.Where(r => r.Id == id && r.Outcome == RunOutcome.Completed))
            {
                violations.Add($"[{id}] {Rules.PoisonRan}: {p.Op} ran to completion: {h.Contention.Describe(run)}");
            }
        }
    }

    private static void CheckStuck(FaultHistory h, List<string> violations)
    {
        var bound = StuckBound(h);
        foreach (var o in h.Overdue.Where(o => o.FreeMs > bound.TotalMilliseconds).OrderBy(o => o.FirstSeen))
        {
            violations.Add($"[end] {Rules.Stuck}: {o.Item} was due from {h.Contention.Ms(o.FirstSeen)} to {h.Contention.Ms(o.LastSeen)}, {o.FreeMs:F0} ms of it while a worker had a free slot " +
                           $"(at most {bound.TotalMilliseconds:F0} ms: a lease, MaxPollDelay and {Slack.TotalMilliseconds:F0} ms of slack), after the faults ended at {h.Contention.Ms(h.FaultsEnded)}");
        }
    }
}
