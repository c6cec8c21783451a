using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Testing.Contention;
using Athomic.Scheduler.Tests.Contention;

namespace Athomic.Scheduler.Tests.Faults;

/// <summary>The fault checks on small hand-built histories: which conflicts a fault explains, poison tasks, stuck work.</summary>
[Trait("Category", "FaultChecker")]
public sealed class FaultCheckerTests
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    private static OpResult Schedule(int at, int version, ScheduleStatus? status, Behaviour behaviour = Behaviour.Hang, int delayMs = 0) =>
        new(new PlanOp(at, "a", false, version, delayMs, new ContentionPayload(version, behaviour, 0), false, 0), status, null, at * Ms, (at + 1) * Ms, status is null ? "TimeoutException" : null);

    private static RunRecord Run(string host, int start, int? end, RunOutcome outcome = RunOutcome.Completed, int version = 1, int attempt = 1) =>
        new("a", version, attempt, host, start * Ms, end * Ms, end is null ? null : outcome);

    private static FaultRecord On(int host, FaultKind kind, FaultDirection direction, int start, int end) =>
        new(new FaultWindow(start, host, new Fault(kind, direction, TimeSpan.FromMilliseconds(end - start))), start * Ms, end * Ms);

    private static FaultHistory History(
        IEnumerable<OpResult> ops,
        IEnumerable<RunRecord> runs,
        IEnumerable<FaultRecord>? faults = null,
        IEnumerable<PoisonRecord>? poison = null,
        IEnumerable<OverdueRecord>? overdue = null,
        Dictionary<string, DeadLetterRecord>? dead = null,
        StoreSnapshot? store = null) =>
        new(
            new ContentionHistory(ops.ToList(), runs.ToList(), dead ?? [], store ?? StoreSnapshot.Empty, new HashSet<string>(), 0, FaultsInjected: true),
            (faults ?? []).ToList(),
            (poison ?? []).ToList(),
            (overdue ?? []).ToList(),
            0,
            TimeSpan.FromSeconds(2),
            TimeSpan.FromMilliseconds(200));

    private static readonly OpResult[] OneHang = [Schedule(0, 1, ScheduleStatus.Scheduled)];

    [Fact]
    public void A_run_whose_lease_a_stall_cost_and_that_was_cancelled_may_overlap_its_successor()
    {
        var h = History(OneHang, [Run("h0", 100, 3100, RunOutcome.Cancelled), Run("h1", 2700, 5000)], [On(0, FaultKind.Stall, FaultDirection.Both, 500, 3000)]);

        Assert.Empty(FaultChecker.Check(h));
        Assert.Contains("h0" + FaultChecker.LeaseLostSuffix, FaultChecker.ExemptLostLeases(h).History.KilledHosts);
    }

    [Fact]
    public void An_overlap_no_fault_explains_is_a_violation()
    {
        var v = FaultChecker.Check(History(OneHang, [Run("h0", 100, 3100, RunOutcome.Cancelled), Run("h1", 2700, 5000)]));

        Assert.Contains(v, m => m.Contains("runs overlap", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(FaultKind.Stall, FaultDirection.Downstream)] // the renewals arrive; only their replies wait
    [InlineData(FaultKind.Latency, FaultDirection.Upstream)] // 100 ms: far below the client timeout
    public void A_fault_that_cannot_cost_a_lease_does_not_explain_an_overlap(FaultKind kind, FaultDirection direction)
    {
        var fault = new FaultRecord(new FaultWindow(500, 0, new Fault(kind, direction, TimeSpan.FromMilliseconds(2500), TimeSpan.FromMilliseconds(100))), 500 * Ms, 3000 * Ms);

        var v = FaultChecker.Check(History(OneHang, [Run("h0", 100, 3100, RunOutcome.Cancelled), Run("h1", 2700, 5000)], [fault]));

        Assert.Contains(v, m => m.Contains("runs overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lost_run_that_goes_on_after_its_host_healed_was_not_cancelled()
    {
        var v = FaultChecker.Check(History(OneHang, [Run("h0", 100, 6000), Run("h1", 2700, 5000)], [On(0, FaultKind.Stall, FaultDirection.Upstream, 500, 3000)]));

        Assert.Contains(v, m => m.StartsWith("[a] " + FaultChecker.Rules.LostRunNotCancelled + ": v1#1@h0 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_fault_in_the_renewal_period_after_the_conflict_postpones_the_cancellation()
    {
        // h0's claim was lost in the first stall and claimed again by h0 itself (b); a second stall began before the
        // next renewal could find the first claim lost, so the first run ended during it, uncancelled.
        RunRecord[] runs = [Run("h0", 100, 4000), Run("h0", 2000, 5000, RunOutcome.Cancelled)];
        var first = On(0, FaultKind.Stall, FaultDirection.Both, 500, 1500);

        Assert.Empty(FaultChecker.Check(History(OneHang, runs, [first, On(0, FaultKind.Stall, FaultDirection.Both, 2100, 3800)])));
        Assert.Contains(FaultChecker.Check(History(OneHang, runs, [first])), m => m.Contains(FaultChecker.Rules.LostRunNotCancelled, StringComparison.Ordinal));
    }

    [Fact]
    public void The_run_that_started_second_may_hold_the_lost_claim()
    {
        // h0 claimed first; its claim waited for a handler slot through a stall, expired, and h1 claimed and ran the task;
        // h0 then started on its lost claim and was cancelled by its next renewal.
        var h = History(OneHang, [Run("h1", 1000, 5000), Run("h0", 2000, 2300, RunOutcome.Cancelled)], [On(0, FaultKind.Stall, FaultDirection.Both, 0, 2200)]);

        Assert.Empty(FaultChecker.Check(h));
        Assert.Equal(["h1", "h0" + FaultChecker.LeaseLostSuffix], FaultChecker.ExemptLostLeases(h).History.Runs.Select(r => r.Host));
    }

    [Fact]
    public void A_run_on_a_lost_claim_may_start_after_its_version_was_replaced_but_a_live_one_may_not()
    {
        // h0 held its claim of v1 through a stall; h1 ran v1 meanwhile, then v2 replaced the pending v1 (a retry) at 5000;
        // h0, back, started its stale claim at 5001 before its next renewal could tell it the claim was lost.
        var ops = new[] { Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.Fast), Schedule(4999, 2, ScheduleStatus.Rescheduled, Behaviour.Fast) };
        RunRecord[] runs = [Run("h1", 3000, 3001, RunOutcome.Threw), Run("h0", 5001, 5002), Run("h2", 6000, 6001, version: 2)];

        Assert.Empty(FaultChecker.Check(History(ops, runs, [On(0, FaultKind.Stall, FaultDirection.Both, 500, 4990)])));
        Assert.Contains(FaultChecker.Check(History(ops, runs)), m => m.Contains(ContentionChecker.Rules.RanAfterRemoved + ": v1#1@h0 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_repeated_after_its_ack_was_lost_in_a_reset_is_exempt_and_without_the_reset_it_is_not()
    {
        RunRecord[] runs = [Run("h0", 100, 200), Run("h1", 3000, 3001)];

        Assert.Empty(FaultChecker.Check(History(OneHang, runs, [On(0, FaultKind.Reset, FaultDirection.Upstream, 250, 1250)])));
        var v = FaultChecker.Check(History(OneHang, runs));
        Assert.Contains(v, m => m.Contains("v1 attempt 1 ran 2 times", StringComparison.Ordinal));
        Assert.Contains(v, m => m.Contains("v1 completed 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_poison_task_is_dead_lettered_with_its_reason_and_never_completes()
    {
        PoisonRecord Poison(string id, PoisonKind kind) => new(new PoisonOp(0, id, kind, 0), 0, null);
        var dead = new Dictionary<string, DeadLetterRecord>
        {
            ["p0"] = new("p0", null, "Unreadable envelope: The envelope is not valid MessagePack"),
            ["p1"] = new("p1", null, "handler failed"),
            ["p3"] = new("p3", null, "No handler named 'contention.missing' is registered in this host."),
        };
        var h = History(
            [],
            [new RunRecord("p3", 1, 1, "h0", 0, 1, RunOutcome.Completed)],
            poison: [Poison("p0", PoisonKind.Garbage), Poison("p1", PoisonKind.Truncated), Poison("p2", PoisonKind.MissingDetails), Poison("p3", PoisonKind.UnknownHandler), new(new PoisonOp(0, "p4", PoisonKind.BadPayload, 0), 0, "TimeoutException")],
            dead: dead);

        var v = FaultChecker.Check(h);

        Assert.DoesNotContain(v, m => m.StartsWith("[p0]", StringComparison.Ordinal) || m.StartsWith("[p4]", StringComparison.Ordinal));
        Assert.Contains(v, m => m.StartsWith("[p1] " + FaultChecker.Rules.PoisonWrongReason, StringComparison.Ordinal));
        Assert.Contains(v, m => m.StartsWith("[p2] " + FaultChecker.Rules.PoisonNotDeadLettered, StringComparison.Ordinal));
        Assert.Contains(v, m => m.StartsWith("[p3] " + FaultChecker.Rules.PoisonRan, StringComparison.Ordinal));
    }

    [Fact]
    public void Due_work_that_waits_past_a_lease_and_MaxPollDelay_with_a_free_slot_is_stuck()
    {
        var h = History(
            [],
            [],
            overdue: [new OverdueRecord("pending a due 1", 0, 5000 * Ms, 3500), new OverdueRecord("pending b due 1", 0, 9000 * Ms, 2900)]);

        var v = FaultChecker.Check(h);

        Assert.Equal(TimeSpan.FromMilliseconds(3200), FaultChecker.StuckBound(h));
        Assert.Equal(["[end] " + FaultChecker.Rules.Stuck + ": pending a due 1"], v.Select(m => m[..(m.IndexOf(" was due", StringComparison.Ordinal))]));
    }

    [Fact]
    public void A_claim_handed_back_unrun_and_then_replaced_need_not_run()
    {
        // v1 was claimed (v2 was held back behind it), its claim handed back (its slot could not be taken) and v3 replaced it.
        var ops = new[] { Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.Fast), Schedule(10, 2, ContentionChecker.RescheduledAfterRun, Behaviour.Fast), Schedule(100, 3, ScheduleStatus.Rescheduled, Behaviour.Fast) };

        Assert.Empty(FaultChecker.Check(History(ops, [Run("h0", 150, 151, version: 3)])));
    }

    [Fact]
    public void A_cancel_that_threw_may_have_removed_the_last_version()
    {
        var cancel = new OpResult(new PlanOp(10, "a", true, 0, 0, default, false, 0), null, null, 10 * Ms, 11 * Ms, "TimeoutException");

        Assert.Empty(FaultChecker.Check(History([Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.Fast, 500), cancel], [])));
    }

    [Fact]
    public void A_cancel_after_a_write_that_threw_may_have_removed_that_write_held_back_behind_the_running_version()
    {
        // v2 threw but happened, held back behind v1's run; the cancel removed v2; v1's claim was lost in a stall and
        // another worker ran v1 again after the cancel (faults-streams-p4-x3 seed 839352842, c15).
        var ops = new[] { Schedule(0, 1, ScheduleStatus.Scheduled), Schedule(10, 2, null), new OpResult(new PlanOp(50, "a", true, 0, 0, default, false, 0), null, true, 50 * Ms, 51 * Ms, null) };
        RunRecord[] runs = [Run("h0", 5, 3000), Run("h1", 2600, 5000)];

        Assert.Empty(FaultChecker.Check(History(ops, runs, [On(0, FaultKind.Stall, FaultDirection.Upstream, 100, 4000)])));
    }

    [Fact]
    public void An_id_whose_last_schedule_threw_may_be_left_pending()
    {
        var store = new StoreSnapshot(new Dictionary<string, long> { ["a"] = 3_500_000 }, ["a"], new Dictionary<string, IReadOnlyList<string>>());
        var ops = new[] { Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.Fast, ContentionPlan.FarFutureMs), Schedule(10, 2, null, Behaviour.Fast) };

        Assert.Empty(FaultChecker.Check(History(ops, [], store: store)));
    }
}
