using Athomic.Scheduler.Testing.Contention;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>The checker itself, on small hand-built histories: it accepts the contract's histories and rejects others.</summary>
[Trait("Category", "ContentionChecker")]
public sealed class ContentionCheckerTests
{
    private const long Ms = TimeSpan.TicksPerMillisecond;
    private const ScheduleStatus Scheduled = ScheduleStatus.Scheduled, Rescheduled = ScheduleStatus.Rescheduled, Refused = ScheduleStatus.AlreadyExists;
    private const ScheduleStatus HeldBack = ContentionChecker.RescheduledAfterRun;

    private static OpResult Schedule(int at, int version, ScheduleStatus status, Behaviour behaviour = Behaviour.Fast, int delayMs = 0, string id = "a") =>
        new(new PlanOp(at, id, false, version, delayMs, new ContentionPayload(version, behaviour, 0), status == Refused, 0), status, null, at * Ms, (at + 1) * Ms, null);

    private static OpResult Cancel(int at, bool result, string id = "a") =>
        new(new PlanOp(at, id, true, 0, 0, default, false, 0), null, result, at * Ms, (at + 1) * Ms, null);

    private static RunRecord Run(int version, int start, int? end, RunOutcome outcome = RunOutcome.Completed, int attempt = 1, string host = "h0", string id = "a") =>
        new(id, version, attempt, host, start * Ms, end * Ms, end is null ? null : outcome);

    /// <summary>A schedule whose call threw: its effect is unknown (indeterminate).</summary>
    private static OpResult Indeterminate(int at, int version, Behaviour behaviour = Behaviour.Fast, int delayMs = 0, string id = "a") =>
        new(new PlanOp(at, id, false, version, delayMs, new ContentionPayload(version, behaviour, 0), false, 0), null, null, at * Ms, (at + 1) * Ms, "RedisTimeoutException: timeout");

    private static OpResult IndeterminateCancel(int at, string id = "a") =>
        new(new PlanOp(at, id, true, 0, 0, default, false, 0), null, null, at * Ms, (at + 1) * Ms, "RedisTimeoutException: timeout");

    private static StoreSnapshot Pending(string id, long dueInMs, int? version = null) => new(
        new Dictionary<string, long> { [id] = dueInMs }, [id], new Dictionary<string, IReadOnlyList<string>>(),
        version is { } v ? new Dictionary<string, int> { [id] = v } : null);

    private static List<string> Check(IEnumerable<OpResult> ops, IEnumerable<RunRecord> runs, Dictionary<string, DeadLetterRecord>? dead = null, StoreSnapshot? store = null, bool faults = false, params string[] killed) =>
        ContentionChecker.Check(new ContentionHistory(ops.ToList(), runs.ToList(), dead ?? [], store ?? StoreSnapshot.Empty, killed.ToHashSet(), 0, faults));

    [Fact]
    public void Accepts_a_schedule_that_runs_once()
    {
        Assert.Empty(Check([Schedule(0, 1, Scheduled)], [Run(1, 5, 6)]));
    }

    [Fact]
    public void Accepts_a_reschedule_while_pending_whose_old_version_never_runs()
    {
        Assert.Empty(Check([Schedule(0, 1, Scheduled, delayMs: 100), Schedule(10, 2, Rescheduled)], [Run(2, 20, 21)]));
    }

    [Fact]
    public void Accepts_a_version_held_back_behind_a_run_that_starts_after_it_ended()
    {
        Assert.Empty(Check([Schedule(0, 1, Scheduled, Behaviour.Slow), Schedule(10, 2, HeldBack)], [Run(1, 5, 50), Run(2, 51, 52)]));
    }

    [Fact]
    public void Accepts_a_held_back_version_that_replaces_the_retry_of_a_throwing_run()
    {
        Assert.Empty(Check(
            [Schedule(0, 1, Scheduled, Behaviour.AlwaysThrow), Schedule(10, 2, HeldBack)],
            [Run(1, 5, 20, RunOutcome.Threw), Run(2, 21, 22)]));
    }

    [Fact]
    public void Accepts_a_dead_lettered_last_version_with_a_reason_and_a_cancelled_one()
    {
        var dead = new Dictionary<string, DeadLetterRecord> { ["a"] = new("a", 1, "InvalidOperationException: boom") };
        Assert.Empty(Check(
            [Schedule(0, 1, Scheduled, Behaviour.AlwaysThrow), Schedule(0, 1, Scheduled, delayMs: 500, id: "b"), Cancel(5, true, "b")],
            [Run(1, 1, 2, RunOutcome.Threw), Run(1, 3, 4, RunOutcome.Threw, attempt: 2), Run(1, 5, 6, RunOutcome.Threw, attempt: 3)],
            dead));
    }

    [Fact]
    public void Accepts_a_task_dead_lettered_twice_and_judges_its_latest_version_by_the_newest_letter()
    {
        // v1 is dead-lettered, v2 (held back during v1's last run) is dead-lettered too: the store keeps both letters.
        var both = new Dictionary<string, DeadLetterRecord> { ["a"] = new("a", 2, "InvalidOperationException: boom") { Versions = [2, 1] } };
        var ops = new[] { Schedule(0, 1, Scheduled, Behaviour.AlwaysThrow), Schedule(4, 2, HeldBack, Behaviour.AlwaysThrow) };
        var threw = new[] { Run(1, 1, 2, RunOutcome.Threw), Run(1, 3, 5, RunOutcome.Threw, attempt: 2), Run(2, 6, 7, RunOutcome.Threw), Run(2, 8, 9, RunOutcome.Threw, attempt: 2) };
        Assert.Empty(Check(ops, threw, both));

        // Read as before (only the oldest letter kept), the latest version looks lost: the rule still sees that.
        var oldest = new Dictionary<string, DeadLetterRecord> { ["a"] = new("a", 1, "InvalidOperationException: boom") };
        Assert.Contains(Check(ops, threw, oldest), v => v.Contains(ContentionChecker.Rules.Lost, StringComparison.Ordinal));
    }

    [Fact]
    public void Accepts_a_future_task_left_pending_and_duplicates_on_a_killed_host()
    {
        var store = new StoreSnapshot(new Dictionary<string, long> { ["f"] = 3_500_000 }, ["f"], new Dictionary<string, IReadOnlyList<string>>());
        Assert.Empty(Check(
            [Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs, id: "f"), Schedule(0, 1, Scheduled)],
            [Run(1, 1, null, host: "w0g1"), Run(1, 1200, 1201, host: "w1g2")],
            store: store,
            faults: true,
            killed: "w0g1"));
    }

    [Fact]
    public void Rejects_a_lost_task()
    {
        var v = Check([Schedule(0, 1, Scheduled)], []);
        Assert.Contains(v, m => m.StartsWith("[a] lost: v1", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_throwing_version_that_is_neither_completed_nor_dead_lettered()
    {
        var v = Check([Schedule(0, 1, Scheduled, Behaviour.ThrowFirst)], [Run(1, 1, 2, RunOutcome.Threw)]);
        Assert.Contains(v, m => m.StartsWith("[a] lost: v1", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_run_twice_and_a_second_completion()
    {
        var v = Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2), Run(1, 3, 4, host: "h1")]);
        Assert.Contains(v, m => m.Contains("attempt 1 ran 2 times", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("completed 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_two_versions_of_one_id_running_at_once()
    {
        var v = Check([Schedule(0, 1, Scheduled, Behaviour.Slow), Schedule(10, 2, HeldBack)], [Run(1, 5, 50), Run(2, 20, 21)]);
        Assert.Contains(v, m => m.Contains("runs overlap: v2#1@h0", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_version_that_runs_after_it_was_replaced_while_pending_or_cancelled()
    {
        var v = Check([Schedule(0, 1, Scheduled, delayMs: 50), Schedule(10, 2, Rescheduled), Cancel(20, true)], [Run(1, 60, 61), Run(2, 70, 71)]);
        Assert.Contains(v, m => m.Contains("v1#1@h0 [60ms..61ms] Completed: started although it was replaced by v2", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("v2#1@h0 [70ms..71ms] Completed: started although it was removed by the cancel", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_claimed_version_that_never_ends_and_an_old_ack_that_deleted_the_new_version()
    {
        // v2 held back behind v1 (claimed) but v1 never ended; v3 "Scheduled" (id not stored) although v2 never ran.
        var v = Check([Schedule(0, 1, Scheduled), Schedule(10, 2, HeldBack), Schedule(30, 3, Scheduled)], [Run(3, 40, 41)]);
        Assert.Contains(v, m => m.Contains("v1 never ended", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("v3 returned Scheduled (id not stored)", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_refused_and_future_versions_that_run_and_a_dead_letter_without_reason()
    {
        var dead = new Dictionary<string, DeadLetterRecord> { ["a"] = new("a", 1, " ") };
        var v = Check(
            [Schedule(0, 1, Scheduled, Behaviour.AlwaysThrow), Schedule(1, 2, Refused), Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs, id: "f")],
            [Run(2, 5, 6), Run(1, 7, 8, RunOutcome.Threw), Run(1, 9, 10, id: "f")],
            dead);
        Assert.Contains(v, m => m.Contains("v2#1@h0 [5ms..6ms] Completed: a version that was never accepted ran", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("a future task (due in", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("dead-lettered without a reason", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("[f] future-not-pending: v1, a future task, is not pending at the end", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_store_that_is_not_quiet_at_the_end()
    {
        var store = new StoreSnapshot(
            new Dictionary<string, long> { ["a"] = 20 },
            ["a", "orphan"],
            new Dictionary<string, IReadOnlyList<string>> { ["{contention}:inflight"] = ["b=1"], ["{contention:1}:deferred"] = [] });
        var v = Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2)], store: store);
        Assert.Contains(v, m => m.Contains("pending holds a, due in 20 ms", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("task details of orphan", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("{contention}:inflight holds 1", StringComparison.Ordinal));
        Assert.DoesNotContain(v, m => m.Contains("deferred", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_an_indeterminate_schedule_that_ran_but_never_completed()
    {
        // The call threw, but the version ran (so the write happened): its retry must not be lost.
        var v = Check([Indeterminate(0, 1, Behaviour.ThrowFirst)], [Run(1, 1, 2, RunOutcome.Threw)], faults: true);
        Assert.Contains(v, m => m.StartsWith("[a] lost: v1 (indeterminate", StringComparison.Ordinal) && m.Contains("never completed", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_an_indeterminate_version_that_runs_after_it_was_replaced_or_although_it_is_a_future_task()
    {
        var v = Check(
            [Indeterminate(0, 1, delayMs: 50), Schedule(10, 2, Rescheduled), Indeterminate(0, 1, delayMs: ContentionPlan.FarFutureMs, id: "f")],
            [Run(2, 20, 21), Run(1, 60, 61), Run(1, 5, 6, id: "f")],
            faults: true);
        Assert.Contains(v, m => m.Contains("v1#1@h0 [60ms..61ms] Completed: started although it was replaced by v2", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("a future task (due in", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_lost_version_behind_an_indeterminate_schedule_that_never_took_effect()
    {
        // v2's call threw and nothing shows it happened: then v1 is the last version and must run.
        var v = Check([Schedule(0, 1, Scheduled, delayMs: 100), Indeterminate(10, 2)], [], faults: true);
        Assert.Contains(v, m => m.StartsWith("[a] lost: v1 ", StringComparison.Ordinal) && m.Contains("never completed", StringComparison.Ordinal));
    }

    [Fact]
    public void Accepts_indeterminate_calls_that_the_final_state_explains()
    {
        // A future task whose call threw, pending at the end: it happened and waits. A schedule that threw and was never
        // seen: it did not happen, v1 ran. A cancel that threw: it may have removed v1. A cancel that returned true
        // after a schedule that threw: the schedule happened.
        var store = Pending("f", 3_500_000, version: 1);
        Assert.Empty(Check(
            [
                Indeterminate(0, 1, delayMs: ContentionPlan.FarFutureMs, id: "f"),
                Schedule(0, 1, Scheduled), Indeterminate(10, 2),
                Schedule(0, 1, Scheduled, delayMs: 100, id: "b"), IndeterminateCancel(10, "b"),
                Indeterminate(0, 1, delayMs: 100, id: "c"), Cancel(10, true, "c"),
            ],
            [Run(1, 1, 2)],
            store: store,
            faults: true));
    }

    [Fact]
    public void Rejects_an_indeterminate_future_task_seen_pending_that_is_not_a_future_task_any_more()
    {
        // Seen pending (so it happened), then a cancel returned false: it was pending and should have been cancelled.
        var v = Check([Indeterminate(0, 1, delayMs: ContentionPlan.FarFutureMs), Cancel(10, false)], [], store: Pending("a", 3_500_000, version: 1), faults: true);
        Assert.Contains(v, m => m.StartsWith("[a] future-not-cancellable: ", StringComparison.Ordinal) && m.Contains("indeterminate", StringComparison.Ordinal));
    }

    [Fact]
    public void Fails_when_more_than_two_per_cent_of_the_operations_throw_without_injected_faults()
    {
        var ops = Enumerable.Range(0, 50).Select(i => Schedule(i * 10, 1, Scheduled, id: "u" + i)).ToList();
        var runs = Enumerable.Range(0, 50).Select(i => Run(1, (i * 10) + 2, (i * 10) + 3, id: "u" + i)).ToList();
        var oneOf50 = ops.Select((o, i) => i == 7 ? Indeterminate(70, 1, id: "u7") : o).ToList();
        var twoOf50 = oneOf50.Select((o, i) => i == 9 ? Indeterminate(90, 1, id: "u9") : o).ToList();

        Assert.Empty(Check(oneOf50, runs));
        var v = Check(twoOf50, runs);
        Assert.Contains(v, m => m.StartsWith("[all] unknown-share: 2 of 50 operations threw (4.0 %)", StringComparison.Ordinal));
        Assert.Empty(Check(twoOf50, runs, faults: true));
    }

    /// <summary>For every rule of the checker, a hand-made history that breaks it (and is otherwise plausible).</summary>
    private static readonly Dictionary<string, Func<List<string>>> Breaks = new()
    {
        [ContentionChecker.Rules.Lost] = () => Check([Schedule(0, 1, Scheduled)], []),
        [ContentionChecker.Rules.ClaimedNeverEnded] = () => Check([Schedule(0, 1, Scheduled), Schedule(10, 2, HeldBack)], [Run(2, 20, 21)]),
        [ContentionChecker.Rules.ScheduledOverFuture] = () => Check([Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs), Schedule(10, 2, Scheduled)], [Run(2, 20, 21)]),
        [ContentionChecker.Rules.ScheduledOverClaimed] = () => Check([Schedule(0, 1, Scheduled, Behaviour.Slow), Schedule(10, 2, Scheduled)], [Run(1, 5, 50), Run(2, 60, 61)]),
        [ContentionChecker.Rules.CancelWithoutVersion] = () => Check([Cancel(0, true)], []),
        [ContentionChecker.Rules.FutureNotCancellable] = () => Check([Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs), Cancel(10, false)], [], store: Pending("a", 3_500_000)),
        [ContentionChecker.Rules.UnknownStatus] = () => Check([Schedule(0, 1, (ScheduleStatus)9)], []),
        [ContentionChecker.Rules.NeverAcceptedRan] = () => Check([Schedule(0, 1, Refused)], [Run(1, 5, 6)]),
        [ContentionChecker.Rules.FutureRan] = () => Check([Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs)], [Run(1, 5, 6)], store: Pending("a", 3_500_000)),
        [ContentionChecker.Rules.RanBeforeScheduled] = () => Check([Schedule(10, 1, Scheduled)], [Run(1, 5, 6)]),
        [ContentionChecker.Rules.RanAfterRemoved] = () => Check([Schedule(0, 1, Scheduled, delayMs: 50), Cancel(10, true)], [Run(1, 60, 61)]),
        [ContentionChecker.Rules.FutureNotPending] = () => Check([Schedule(0, 1, Scheduled, delayMs: ContentionPlan.FarFutureMs)], []),
        [ContentionChecker.Rules.DeadLetterWithoutReason] = () => Check([Schedule(0, 1, Scheduled, Behaviour.AlwaysThrow)], [Run(1, 1, 2, RunOutcome.Threw)], new() { ["a"] = new("a", 1, " ") }),
        [ContentionChecker.Rules.DeadLetteredButSucceeds] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2, RunOutcome.Threw)], new() { ["a"] = new("a", 1, "InvalidOperationException: boom") }),
        [ContentionChecker.Rules.RunNeverEnded] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, null)]),
        [ContentionChecker.Rules.RanTwice] = () => Check([Schedule(0, 1, Scheduled, Behaviour.ThrowFirst)], [Run(1, 1, 2, RunOutcome.Threw), Run(1, 3, 4, host: "h1")]),
        [ContentionChecker.Rules.CompletedTwice] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2), Run(1, 3, 4, attempt: 2, host: "h1")]),
        [ContentionChecker.Rules.Overlap] = () => Check([Schedule(0, 1, Scheduled, Behaviour.Slow), Schedule(10, 2, HeldBack)], [Run(1, 5, 50), Run(2, 20, 21)]),
        [ContentionChecker.Rules.Limit] = () => Check(
            [Schedule(0, 1, Scheduled, id: "c3"), Schedule(0, 1, Scheduled, id: "c7"), Schedule(0, 1, Scheduled, id: "c11")],
            [Run(1, 1, 10, id: "c3"), Run(1, 2, 10, host: "h1", id: "c7"), Run(1, 9, 12, host: "h2", id: "c11")]),
        [ContentionChecker.Rules.PendingNotFuture] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2)], store: Pending("b", 20)),
        [ContentionChecker.Rules.PendingUnexpected] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2)], store: Pending("a", 3_500_000)),
        [ContentionChecker.Rules.OrphanedDetails] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2)], store: new StoreSnapshot(new Dictionary<string, long>(), ["a"], new Dictionary<string, IReadOnlyList<string>>())),
        [ContentionChecker.Rules.NotEmpty] = () => Check([Schedule(0, 1, Scheduled)], [Run(1, 1, 2)], store: new StoreSnapshot(new Dictionary<string, long>(), [], new Dictionary<string, IReadOnlyList<string>> { ["{contention}:lease"] = ["a=5"] })),
        [ContentionChecker.Rules.UnknownShare] = () => Check([Indeterminate(0, 1)], [Run(1, 1, 2)]),
    };

    public static TheoryData<string> AllRules() => [.. ContentionChecker.Rules.All];

    [Theory]
    [MemberData(nameof(AllRules))]
    public void Every_rule_rejects_a_history_that_breaks_it_and_names_itself(string rule)
    {
        Assert.True(Breaks.TryGetValue(rule, out var breakIt), $"rule {rule} has no negative case in {nameof(Breaks)}");
        var violations = breakIt();
        Assert.Contains(violations, v => v.Contains($"] {rule}: ", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_seed_gives_the_same_plan()
    {
        var a = ContentionPlan.Generate(42, 3, kills: true);
        var b = ContentionPlan.Generate(42, 3, kills: true);
        Assert.Equal(a.Ops, b.Ops);
        Assert.Equal(a.Kills, b.Kills);
        Assert.NotEqual(a.Ops, ContentionPlan.Generate(43, 3, kills: true).Ops);
    }

    [Fact]
    public void Accepts_limited_runs_up_to_the_limit_and_runs_of_other_handlers_beside_them()
    {
        Assert.Empty(Check(
            [Schedule(0, 1, Scheduled, id: "c3"), Schedule(0, 1, Scheduled, id: "c7"), Schedule(0, 1, Scheduled, id: "c11"), Schedule(0, 1, Scheduled, id: "c0")],
            [Run(1, 1, 10, id: "c3"), Run(1, 2, 10, host: "h1", id: "c7"), Run(1, 10, 12, id: "c11"), Run(1, 3, 5, id: "c0")]));
    }

    [Fact]
    public void Rejects_more_limited_runs_at_once_than_the_limit_across_hosts()
    {
        var violations = Check(
            [Schedule(0, 1, Scheduled, id: "c3"), Schedule(0, 1, Scheduled, id: "c7"), Schedule(0, 1, Scheduled, id: "c11")],
            [Run(1, 1, 10, id: "c3"), Run(1, 2, 10, host: "h1", id: "c7"), Run(1, 9, 12, host: "h2", id: "c11")]);
        Assert.Contains(violations, v => v.StartsWith("[all] limit: 3 runs of contention.limited", StringComparison.Ordinal));
    }

    [Fact]
    public void Rejects_a_task_left_waiting_for_a_slot_at_the_end()
    {
        var store = new StoreSnapshot(new Dictionary<string, long> { ["c3"] = 1L << 50 }, ["c3"], new Dictionary<string, IReadOnlyList<string>> { ["{p}:parked"] = ["contention.limited c3"] });
        Assert.NotEmpty(Check([Schedule(0, 1, Scheduled, id: "c3")], [], store: store));
    }
}
