using Athomic.Scheduler.Testing.Contention;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>
/// Compares a history with a model of the scheduling contract; a pure function of the history. Operations on one id
/// are serialized by the driver, so per id they form a sequence of versions and cancels. Every violation reads
/// <c>[scope] rule: what happened</c>, where scope is the task id, <c>end</c> or <c>all</c>, and rule is one of
/// <see cref="Rules"/>. Rules:
/// <list type="bullet">
/// <item>Nothing lost: the last accepted, uncancelled version of every id completes, or is dead-lettered with a reason
/// (or, when it is a future task, is still pending); a version that was claimed (the next one was held back, status 4)
/// ends, unless a later reschedule returned 2 or a second cancel returned true (a claim handed back unrun, as when its
/// flow-control slot could not be taken in a fault, is pending again); status 1 (id not stored) after an uncancelled
/// version means that version had ended.</item>
/// <item>Nothing runs that must not: a refused version (3), a version replaced while pending (the next one's status 2,
/// or status 1), a version removed by a cancel that returned true, or a future task: none starts after that call returned.</item>
/// <item>Without kills (or for runs on no killed host): every run ends; no (id, version, attempt) runs twice; a version
/// completes at most once; no two runs of one id overlap in time.</item>
/// <item>Flow control: on no killed host do more than <see cref="ContentionRegistry.Limit"/> runs of the limited
/// handler's ids overlap in time, across every host.</item>
/// <item>End state: only future tasks pending, nothing waiting for a slot and no live slot; no leases, reclaims, stream entries, queued or held-back entries; no
/// task details without a pending entry.</item>
/// <item>Calls that threw (indeterminate: the write may or may not have happened) are resolved from the final state, as
/// Jepsen does: a schedule whose version is later observed (it ran, it is the dead letter, or it is pending at the end)
/// happened, within its call, and obeys every rule above, the lost-task rule included; one never observed is taken as
/// never having happened, the only reading the final state allows. A cancel that threw may have removed the latest
/// version: only the rules that require that version to run or stay pending stop applying to it. In a run without
/// injected faults at most <see cref="MaxUnknownShare"/> of the operations may throw.</item>
/// </list>
/// </summary>
public static class ContentionChecker
{
    public const ScheduleStatus RescheduledAfterRun = (ScheduleStatus)4;

    /// <summary>The share of operations that may throw in a run without injected faults (each one the checker can
    /// judge only from the final state).</summary>
    public const double MaxUnknownShare = 0.02;

    /// <summary>The names of the rules, as they appear in the violations.</summary>
    public static class Rules
    {
        public const string Lost = "lost";
        public const string ClaimedNeverEnded = "claimed-never-ended";
        public const string ScheduledOverFuture = "scheduled-over-future";
        public const string ScheduledOverClaimed = "scheduled-over-claimed";
        public const string CancelWithoutVersion = "cancel-without-version";
        public const string FutureNotCancellable = "future-not-cancellable";
        public const string UnknownStatus = "unknown-status";
        public const string NeverAcceptedRan = "never-accepted-ran";
        public const string FutureRan = "future-ran";
        public const string RanBeforeScheduled = "ran-before-scheduled";
        public const string RanAfterRemoved = "ran-after-removed";
        public const string FutureNotPending = "future-not-pending";
        public const string DeadLetterWithoutReason = "dead-letter-without-reason";
        public const string DeadLetteredButSucceeds = "dead-lettered-but-succeeds";
        public const string RunNeverEnded = "run-never-ended";
        public const string RanTwice = "ran-twice";
        public const string CompletedTwice = "completed-twice";
        public const string Overlap = "overlap";
        public const string Limit = "limit";
        public const string PendingNotFuture = "pending-not-future";
        public const string PendingUnexpected = "pending-unexpected";
        public const string OrphanedDetails = "orphaned-details";
        public const string NotEmpty = "not-empty";
        public const string UnknownShare = "unknown-share";

        /// <summary>Every rule's name.</summary>
        public static IReadOnlyList<string> All { get; } = typeof(Rules)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
    }

    public static List<string> Check(ContentionHistory h)
    {
        var violations = new List<string>();
        var runsById = h.Runs.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Start).ToList(), StringComparer.Ordinal);
        var opsById = h.Ops.GroupBy(o => o.Op.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Invoked).ToList(), StringComparer.Ordinal);
        var expectedPending = new HashSet<string>(StringComparer.Ordinal);
        CheckUnknownShare(h, violations);
        foreach (var id in opsById.Keys.Union(runsById.Keys).Order(StringComparer.Ordinal))
        {
            CheckId(h, id, opsById.GetValueOrDefault(id) ?? [], runsById.GetValueOrDefault(id) ?? [], expectedPending, violations);
        }

        CheckLimit(h, violations);
        CheckEndState(h, expectedPending, violations);
        return violations;
    }

    /// <summary>Without injected faults, a call that throws is itself an anomaly: past a small share, fail rather
    /// than let the checker judge more and more of the run from the final state alone.</summary>
    private static void CheckUnknownShare(ContentionHistory h, List<string> violations)
    {
        var unknown = h.Ops.Where(o => o.Error is not null).ToList();
        if (!h.FaultsInjected && unknown.Count > MaxUnknownShare * h.Ops.Count)
        {
            violations.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"[all] {Rules.UnknownShare}: {unknown.Count} of {h.Ops.Count} operations threw ({100.0 * unknown.Count / h.Ops.Count:F1} %), ") +
                           string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {MaxUnknownShare * 100:F0} % in a run without injected faults; the first: {unknown[0].Op} -> {unknown[0].Error}"));
        }
    }

    /// <summary>The limited handler's runs (all ids, all hosts but killed ones) never exceed its limit at any instant.</summary>
    private static void CheckLimit(ContentionHistory h, List<string> violations)
    {
        var events = h.Runs
            .Where(r => ContentionRegistry.IsLimited(r.Id) && !h.KilledHosts.Contains(r.Host))
            .SelectMany(r => new[] { (At: r.Start, Delta: 1, Run: r), (At: r.End ?? long.MaxValue, Delta: -1, Run: r) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta); // an end before a start at the same instant
        var running = 0;
        foreach (var e in events)
        {
            running += e.Delta;
            if (running > ContentionRegistry.Limit)
            {
                violations.Add($"[all] {Rules.Limit}: {running} runs of {ContentionRegistry.LimitedName} at once (limit {ContentionRegistry.Limit}), the last started: {h.Describe(e.Run)}");
                return;
            }
        }
    }

    /// <summary>The versions of an id that the history shows took effect: they ran, are the dead letter, or are pending at the end.</summary>
    private static HashSet<int> Observed(ContentionHistory h, string id, List<RunRecord> runs)
    {
        var observed = runs.Select(r => r.Version).ToHashSet();
        if (h.DeadLetters.TryGetValue(id, out var d))
        {
            observed.UnionWith(d.Versions);
        }

        if (h.Store.PendingVersions?.TryGetValue(id, out var pv) == true)
        {
            observed.Add(pv);
        }

        return observed;
    }

    private static void CheckId(ContentionHistory h, string id, List<OpResult> ops, List<RunRecord> runs, HashSet<string> expectedPending, List<string> violations)
    {
        var observed = Observed(h, id, runs);
        var indeterminate = new HashSet<int>();
        string V(int version) => indeterminate.Contains(version) ? $"v{version} (indeterminate: its call threw, the final state shows it took effect)" : $"v{version}";
        void Fail(string rule, string message) => violations.Add($"[{id}] {rule}: {message}");
        bool Exempt(RunRecord r) => h.KilledHosts.Contains(r.Host);
        bool Ended(int version) => runs.Any(r => r.Version == version && r.End is not null) ||
            (h.DeadLetters.TryGetValue(id, out var d) && d.Versions.Contains(version));
        string RunsOf(int version) => string.Join(", ", runs.Where(r => r.Version == version).Select(h.Describe)) is { Length: > 0 } s ? s : "none";

        var accepted = new Dictionary<int, OpResult>();
        var forbiddenAfter = new Dictionary<int, (long At, string Why)>();
        var mustEnd = new Dictionary<int, string>();
        var latest = 0;
        var latestCancelled = false;
        var latestMaybeCancelled = false; // a cancel that threw came after it
        OpResult? unobserved = null; // the newest schedule that threw and was not observed (yet)

        void Forbid(int version, long at, string why)
        {
            if (!forbiddenAfter.TryGetValue(version, out var f) || f.At > at)
            {
                forbiddenAfter[version] = (at, why);
            }
        }

        void Accept(OpResult o)
        {
            accepted[o.Op.Version] = o;
            latest = o.Op.Version;
            latestCancelled = false;
            latestMaybeCancelled = false;
            unobserved = null;
        }

        foreach (var o in ops)
        {
            var op = o.Op;
            if (o.Error is not null)
            {
                if (op.Cancel)
                {
                    latestMaybeCancelled = latest > 0 && !latestCancelled;
                }
                else if (observed.Contains(op.Version))
                {
                    indeterminate.Add(op.Version);
                    Accept(o);
                }
                else
                {
                    unobserved = o;
                }

                continue;
            }

            if (op.Cancel)
            {
                if (o.Cancelled == true && unobserved is not null && (latest == 0 || latestCancelled))
                {
                    // Something was there to remove: the write that threw before this cancel happened after all (or a
                    // claim handed back unrun was pending again: it need not end then).
                    indeterminate.Add(unobserved.Op.Version);
                    Accept(unobserved);
                    mustEnd.Clear();
                }
                else if (o.Cancelled == true && unobserved is not null)
                {
                    // The write that threw may have happened after all, held back behind the running latest version,
                    // and be what this cancel removed: the latest version may still run, or may be gone.
                    latestMaybeCancelled = true;
                    unobserved = null;
                    continue;
                }

                if (o.Cancelled == true)
                {
                    if (latest == 0)
                    {
                        Fail(Rules.CancelWithoutVersion, $"cancel at {h.Ms(o.Invoked)} returned true, but no version was ever accepted");
                    }
                    else if (!latestCancelled)
                    {
                        Forbid(latest, o.Returned, $"removed by the cancel returned at {h.Ms(o.Returned)}");
                        latestCancelled = true;
                        if (latestMaybeCancelled)
                        {
                            // An earlier cancel may have removed the latest version already: this one may have removed a
                            // claim handed back unrun, pending again, which then need not end.
                            mustEnd.Clear();
                        }
                    }
                    else
                    {
                        // A second removal: the retry of an older run that had a held-back version removed before,
                        // or that claim itself, handed back unrun.
                        for (var v = 1; v <= latest; v++)
                        {
                            Forbid(v, o.Returned, $"the cancel returned true at {h.Ms(o.Returned)} with nothing left pending");
                            mustEnd.Remove(v);
                        }
                    }
                }
                else if (latest > 0 && !latestCancelled && !latestMaybeCancelled && accepted[latest].Op.FarFuture)
                {
                    Fail(Rules.FutureNotCancellable, $"cancel at {h.Ms(o.Invoked)} returned false, but {V(latest)} was a future task, pending: lost or wrongly not cancellable");
                }

                continue;
            }

            var status = o.Status!.Value;
            if (status == ScheduleStatus.AlreadyExists)
            {
                Forbid(op.Version, o.Invoked, "refused (AlreadyExists)");
                continue;
            }

            if (status is not (ScheduleStatus.Scheduled or ScheduleStatus.Rescheduled or RescheduledAfterRun))
            {
                Fail(Rules.UnknownStatus, $"v{op.Version}: unknown status {(int)status}");
                continue;
            }

            var previous = latest;
            var previousLive = previous > 0 && !latestCancelled && !latestMaybeCancelled;
            if (status is ScheduleStatus.Scheduled or ScheduleStatus.Rescheduled)
            {
                for (var v = 1; v < op.Version; v++)
                {
                    Forbid(v, o.Returned, $"replaced by v{op.Version} ({status}) returned at {h.Ms(o.Returned)}");
                    if (status == ScheduleStatus.Rescheduled)
                    {
                        // A claim handed back unrun (its flow-control slot could not be taken, or its host stopped) is
                        // pending again: a reschedule replaces it like any pending version.
                        mustEnd.Remove(v);
                    }
                }

                if (status == ScheduleStatus.Scheduled && previousLive)
                {
                    var p = accepted[previous];
                    if (p.Op.FarFuture)
                    {
                        Fail(Rules.ScheduledOverFuture, $"v{op.Version} returned Scheduled (id not stored) at {h.Ms(o.Returned)}, but {V(previous)} was a pending future task: lost");
                    }
                    else if (!runs.Any(r => r.Version == previous && r.End is { } e && e <= o.Returned) &&
                             !(h.DeadLetters.TryGetValue(id, out var d) && d.Versions.Contains(previous)))
                    {
                        Fail(Rules.ScheduledOverClaimed, $"v{op.Version} returned Scheduled (id not stored) at {h.Ms(o.Returned)}, but {V(previous)} ({p.Op.Payload.Behaviour}) had not ended by then: its stored record vanished while it was claimed (runs: {RunsOf(previous)})");
                    }
                }
            }
            else if (previousLive && accepted[previous].Status is ScheduleStatus.Scheduled or ScheduleStatus.Rescheduled)
            {
                mustEnd[previous] = $"v{op.Version} was held back behind it at {h.Ms(o.Returned)}, so it was claimed";
            }

            Accept(o);
        }

        // Every run must belong to an accepted version (or one the final state shows took effect), start after it was
        // scheduled and not after it was removed.
        foreach (var r in runs)
        {
            if (!accepted.TryGetValue(r.Version, out var a))
            {
                Fail(Rules.NeverAcceptedRan, $"{h.Describe(r)}: a version that was never accepted ran");
                continue;
            }

            if (a.Op.FarFuture)
            {
                Fail(Rules.FutureRan, $"{h.Describe(r)}: a future task (due in {a.Op.DelayMs} ms) ran{(indeterminate.Contains(r.Version) ? " (its call threw)" : "")}");
            }

            if (r.Start < a.Invoked)
            {
                Fail(Rules.RanBeforeScheduled, $"{h.Describe(r)}: ran before it was scheduled at {h.Ms(a.Invoked)}");
            }

            if (forbiddenAfter.TryGetValue(r.Version, out var f) && r.Start > f.At)
            {
                Fail(Rules.RanAfterRemoved, $"{h.Describe(r)}: started although it was {f.Why}");
            }
        }

        foreach (var (version, why) in mustEnd)
        {
            if (!Ended(version))
            {
                Fail(Rules.ClaimedNeverEnded, $"{V(version)} never ended: {why} (runs: {RunsOf(version)})");
            }
        }

        // The last accepted, uncancelled version: completes, is dead-lettered with a reason, or (a future task) waits.
        if (latest > 0 && !latestCancelled && !latestMaybeCancelled)
        {
            var last = accepted[latest].Op;
            var dead = h.DeadLetters.GetValueOrDefault(id);
            if (last.FarFuture)
            {
                expectedPending.Add(id);
                if (!h.Store.PendingDueInMs.TryGetValue(id, out var due) || due <= StoreSnapshot.FutureMs)
                {
                    Fail(Rules.FutureNotPending, $"{V(latest)}, a future task, is not pending at the end: lost");
                }
            }
            else if (dead is not null && dead.Version == latest)
            {
                if (string.IsNullOrWhiteSpace(dead.Reason))
                {
                    Fail(Rules.DeadLetterWithoutReason, $"{V(latest)} was dead-lettered without a reason");
                }

                if (h.KilledHosts.Count == 0 && last.Payload.Behaviour != Behaviour.AlwaysThrow)
                {
                    Fail(Rules.DeadLetteredButSucceeds, $"{V(latest)} ({last.Payload.Behaviour}) was dead-lettered although its handler succeeds: {dead.Reason} (runs: {RunsOf(latest)})");
                }
            }
            else if (!runs.Any(r => r.Version == latest && r.Outcome == RunOutcome.Completed))
            {
                Fail(Rules.Lost, $"{V(latest)} ({last.Payload.Behaviour}, scheduled at {h.Ms(accepted[latest].Invoked)}, status {accepted[latest].Status?.ToString() ?? "unknown"}) " +
                     $"never completed and is not dead-lettered{(dead is null ? "" : $" (the dead letter is v{dead.Version})")} (runs: {RunsOf(latest)})");
            }
        }
        else if (latest > 0 && latestMaybeCancelled && accepted[latest].Op.FarFuture && h.Store.PendingDueInMs.ContainsKey(id))
        {
            expectedPending.Add(id); // the cancel that threw did not remove it
        }

        // Exactly once between healthy hosts (runs on a killed host are exempt).
        foreach (var r in runs.Where(r => r.End is null && !Exempt(r)))
        {
            Fail(Rules.RunNeverEnded, $"{h.Describe(r)}: never ended on a live host");
        }

        foreach (var g in runs.Where(r => !Exempt(r)).GroupBy(r => (r.Version, r.Attempt)).Where(g => g.Count() > 1))
        {
            Fail(Rules.RanTwice, $"v{g.Key.Version} attempt {g.Key.Attempt} ran {g.Count()} times: {string.Join(", ", g.Select(h.Describe))}");
        }

        foreach (var g in runs.Where(r => r.Outcome == RunOutcome.Completed && !Exempt(r)).GroupBy(r => r.Version).Where(g => g.Count() > 1))
        {
            Fail(Rules.CompletedTwice, $"v{g.Key} completed {g.Count()} times: {string.Join(", ", g.Select(h.Describe))}");
        }

        // Runs are sorted by start: report each run that starts while an earlier one still runs, once.
        for (var j = 1; j < runs.Count; j++)
        {
            var b = runs[j];
            var a = Exempt(b) ? null : runs.Take(j).FirstOrDefault(a => !Exempt(a) && (a.End is not { } end || b.Start < end));
            if (a is not null)
            {
                Fail(Rules.Overlap, $"runs overlap: {h.Describe(b)} started while {h.Describe(a)} ran");
            }
        }
    }

    private static void CheckEndState(ContentionHistory h, HashSet<string> expectedPending, List<string> violations)
    {
        foreach (var (id, due) in h.Store.PendingDueInMs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (due <= StoreSnapshot.FutureMs)
            {
                violations.Add($"[end] {Rules.PendingNotFuture}: pending holds {id}, due in {due} ms: not a future task");
            }
            else if (!expectedPending.Contains(id))
            {
                violations.Add($"[end] {Rules.PendingUnexpected}: pending holds {id}, which should not be pending");
            }
        }

        foreach (var id in h.Store.Tasks.Where(t => !h.Store.PendingDueInMs.ContainsKey(t)).Order(StringComparer.Ordinal))
        {
            violations.Add($"[end] {Rules.OrphanedDetails}: task details of {id} without a pending entry (orphaned)");
        }

        foreach (var (key, members) in h.Store.MustBeEmpty.Where(k => k.Value.Count > 0).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            violations.Add($"[end] {Rules.NotEmpty}: {key} holds {members.Count}: {string.Join(", ", members.Take(8))}{(members.Count > 8 ? ", …" : "")}");
        }
    }
}
