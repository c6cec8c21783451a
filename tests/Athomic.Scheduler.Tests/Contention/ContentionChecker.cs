using Athomic.Scheduler.Testing.Contention;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>
/// Compares a history with a model of the scheduling contract; a pure function of the history. Operations on one id
/// are serialized by the driver, so per id they form a sequence of versions and cancels. Rules:
/// <list type="bullet">
/// <item>Nothing lost: the last accepted, uncancelled version of every id completes, or is dead-lettered with a reason
/// (or, when it is a future task, is still pending); a version that was claimed (the next one was held back, status 4)
/// ends; status 1 (id not stored) after an uncancelled version means that version had ended.</item>
/// <item>Nothing runs that must not: a refused version (3), a version replaced while pending (the next one's status 2,
/// or status 1), a version removed by a cancel that returned true, or a future task: none starts after that call returned.</item>
/// <item>Without kills (or for runs on no killed host): every run ends; no (id, version, attempt) runs twice; a version
/// completes at most once; no two runs of one id overlap in time.</item>
/// <item>Flow control: on no killed host do more than <see cref="ContentionRegistry.Limit"/> runs of the limited
/// handler's ids overlap in time, across every host.</item>
/// <item>End state: only future tasks pending, nothing waiting for a slot and no live slot; no leases, reclaims, stream entries, queued or held-back entries; no
/// task details without a pending entry.</item>
/// </list>
/// </summary>
public static class ContentionChecker
{
    public const ScheduleStatus RescheduledAfterRun = (ScheduleStatus)4;

    public static List<string> Check(ContentionHistory h)
    {
        var violations = new List<string>();
        var runsById = h.Runs.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Start).ToList(), StringComparer.Ordinal);
        var opsById = h.Ops.GroupBy(o => o.Op.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.OrderBy(o => o.Invoked).ToList(), StringComparer.Ordinal);
        var expectedPending = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in opsById.Keys.Union(runsById.Keys).Order(StringComparer.Ordinal))
        {
            CheckId(h, id, opsById.GetValueOrDefault(id) ?? [], runsById.GetValueOrDefault(id) ?? [], expectedPending, violations);
        }

        CheckLimit(h, violations);
        CheckEndState(h, expectedPending, violations);
        return violations;
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
                violations.Add($"[limit] {running} runs of {ContentionRegistry.LimitedName} at once (limit {ContentionRegistry.Limit}), the last started: {h.Describe(e.Run)}");
                return;
            }
        }
    }

    private static void CheckId(ContentionHistory h, string id, List<OpResult> ops, List<RunRecord> runs, HashSet<string> expectedPending, List<string> violations)
    {
        void Fail(string message) => violations.Add($"[{id}] {message}");
        bool Exempt(RunRecord r) => h.KilledHosts.Contains(r.Host);
        bool Ended(int version) => runs.Any(r => r.Version == version && r.End is not null) ||
            (h.DeadLetters.TryGetValue(id, out var d) && d.Version == version);
        string RunsOf(int version) => string.Join(", ", runs.Where(r => r.Version == version).Select(h.Describe)) is { Length: > 0 } s ? s : "none";

        var accepted = new Dictionary<int, OpResult>();
        var unknown = new HashSet<int>();
        var forbiddenAfter = new Dictionary<int, (long At, string Why)>();
        var mustEnd = new Dictionary<int, string>();
        var latest = 0;
        var latestCancelled = false;

        void Forbid(int version, long at, string why)
        {
            if (!forbiddenAfter.TryGetValue(version, out var f) || f.At > at)
            {
                forbiddenAfter[version] = (at, why);
            }
        }

        foreach (var o in ops)
        {
            var op = o.Op;
            if (o.Error is not null)
            {
                if (!op.Cancel)
                {
                    unknown.Add(op.Version);
                    latest = op.Version;
                    latestCancelled = false;
                }

                continue;
            }

            if (op.Cancel)
            {
                if (o.Cancelled == true)
                {
                    if (latest == 0)
                    {
                        Fail($"cancel at {h.Ms(o.Invoked)} returned true, but no version was ever accepted");
                    }
                    else if (!latestCancelled)
                    {
                        Forbid(latest, o.Returned, $"removed by the cancel returned at {h.Ms(o.Returned)}");
                        latestCancelled = true;
                    }
                    else
                    {
                        // A second removal: the retry of an older run that had a held-back version removed before.
                        for (var v = 1; v <= latest; v++)
                        {
                            Forbid(v, o.Returned, $"the cancel returned true at {h.Ms(o.Returned)} with nothing left pending");
                        }
                    }
                }
                else if (latest > 0 && !latestCancelled && !unknown.Contains(latest) && accepted[latest].Op.FarFuture)
                {
                    Fail($"cancel at {h.Ms(o.Invoked)} returned false, but v{latest} was a future task, pending: lost or wrongly not cancellable");
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
                Fail($"v{op.Version}: unknown status {(int)status}");
                continue;
            }

            var previous = latest;
            var previousLive = previous > 0 && !latestCancelled && !unknown.Contains(previous);
            if (status is ScheduleStatus.Scheduled or ScheduleStatus.Rescheduled)
            {
                for (var v = 1; v < op.Version; v++)
                {
                    Forbid(v, o.Returned, $"replaced by v{op.Version} ({status}) returned at {h.Ms(o.Returned)}");
                }

                if (status == ScheduleStatus.Scheduled && previousLive)
                {
                    var p = accepted[previous];
                    if (p.Op.FarFuture)
                    {
                        Fail($"v{op.Version} returned Scheduled (id not stored) at {h.Ms(o.Returned)}, but v{previous} was a pending future task: lost");
                    }
                    else if (!runs.Any(r => r.Version == previous && r.End is { } e && e <= o.Returned) &&
                             !(h.DeadLetters.TryGetValue(id, out var d) && d.Version == previous))
                    {
                        Fail($"v{op.Version} returned Scheduled (id not stored) at {h.Ms(o.Returned)}, but v{previous} ({p.Op.Payload.Behaviour}) had not ended by then: its stored record vanished while it was claimed (runs: {RunsOf(previous)})");
                    }
                }
            }
            else if (previousLive && accepted[previous].Status is ScheduleStatus.Scheduled or ScheduleStatus.Rescheduled)
            {
                mustEnd[previous] = $"v{op.Version} was held back behind it at {h.Ms(o.Returned)}, so it was claimed";
            }

            accepted[op.Version] = o;
            latest = op.Version;
            latestCancelled = false;
        }

        // Every run must belong to an accepted version, start after it was scheduled and not after it was removed.
        foreach (var r in runs)
        {
            if (unknown.Contains(r.Version))
            {
                continue;
            }

            if (!accepted.TryGetValue(r.Version, out var a))
            {
                Fail($"{h.Describe(r)}: a version that was never accepted ran");
                continue;
            }

            if (a.Op.FarFuture)
            {
                Fail($"{h.Describe(r)}: a future task (due in {a.Op.DelayMs} ms) ran");
            }

            if (r.Start < a.Invoked)
            {
                Fail($"{h.Describe(r)}: ran before it was scheduled at {h.Ms(a.Invoked)}");
            }

            if (forbiddenAfter.TryGetValue(r.Version, out var f) && r.Start > f.At)
            {
                Fail($"{h.Describe(r)}: started although it was {f.Why}");
            }
        }

        foreach (var (version, why) in mustEnd)
        {
            if (!Ended(version))
            {
                Fail($"v{version} never ended: {why} (runs: {RunsOf(version)})");
            }
        }

        // The last accepted, uncancelled version: completes, is dead-lettered with a reason, or (a future task) waits.
        if (latest > 0 && !latestCancelled && !unknown.Contains(latest))
        {
            var last = accepted[latest].Op;
            var dead = h.DeadLetters.GetValueOrDefault(id);
            if (last.FarFuture)
            {
                expectedPending.Add(id);
                if (!h.Store.PendingDueInMs.TryGetValue(id, out var due) || due <= StoreSnapshot.FutureMs)
                {
                    Fail($"v{latest}, a future task, is not pending at the end: lost");
                }
            }
            else if (dead is not null && dead.Version == latest)
            {
                if (string.IsNullOrWhiteSpace(dead.Reason))
                {
                    Fail($"v{latest} was dead-lettered without a reason");
                }

                if (h.KilledHosts.Count == 0 && last.Payload.Behaviour != Behaviour.AlwaysThrow)
                {
                    Fail($"v{latest} ({last.Payload.Behaviour}) was dead-lettered although its handler succeeds: {dead.Reason} (runs: {RunsOf(latest)})");
                }
            }
            else if (!runs.Any(r => r.Version == latest && r.Outcome == RunOutcome.Completed))
            {
                Fail($"LOST: v{latest} ({last.Payload.Behaviour}, scheduled at {h.Ms(accepted[latest].Invoked)}, status {accepted[latest].Status}) " +
                     $"never completed and is not dead-lettered{(dead is null ? "" : $" (the dead letter is v{dead.Version})")} (runs: {RunsOf(latest)})");
            }
        }

        // Exactly once between healthy hosts (runs on a killed host are exempt).
        foreach (var r in runs.Where(r => r.End is null && !Exempt(r)))
        {
            Fail($"{h.Describe(r)}: never ended on a live host");
        }

        foreach (var g in runs.Where(r => !Exempt(r)).GroupBy(r => (r.Version, r.Attempt)).Where(g => g.Count() > 1))
        {
            Fail($"v{g.Key.Version} attempt {g.Key.Attempt} ran {g.Count()} times: {string.Join(", ", g.Select(h.Describe))}");
        }

        foreach (var g in runs.Where(r => r.Outcome == RunOutcome.Completed && !Exempt(r)).GroupBy(r => r.Version).Where(g => g.Count() > 1))
        {
            Fail($"v{g.Key} completed {g.Count()} times: {string.Join(", ", g.Select(h.Describe))}");
        }

        // Runs are sorted by start: report each run that starts while an earlier one still runs, once.
        for (var j = 1; j < runs.Count; j++)
        {
            var b = runs[j];
            var a = Exempt(b) ? null : runs.Take(j).FirstOrDefault(a => !Exempt(a) && (a.End is not { } end || b.Start < end));
            if (a is not null)
            {
                Fail($"runs overlap: {h.Describe(b)} started while {h.Describe(a)} ran");
            }
        }
    }

    private static void CheckEndState(ContentionHistory h, HashSet<string> expectedPending, List<string> violations)
    {
        foreach (var (id, due) in h.Store.PendingDueInMs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (due <= StoreSnapshot.FutureMs)
            {
                violations.Add($"[end] pending holds {id}, due in {due} ms: not a future task");
            }
            else if (!expectedPending.Contains(id))
            {
                violations.Add($"[end] pending holds {id}, which should not be pending");
            }
        }

        foreach (var id in h.Store.Tasks.Where(t => !h.Store.PendingDueInMs.ContainsKey(t)).Order(StringComparer.Ordinal))
        {
            violations.Add($"[end] task details of {id} without a pending entry (orphaned)");
        }

        foreach (var (key, members) in h.Store.MustBeEmpty.Where(k => k.Value.Count > 0).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            violations.Add($"[end] {key} holds {members.Count}: {string.Join(", ", members.Take(8))}{(members.Count > 8 ? ", …" : "")}");
        }
    }
}
