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
    [InlineData(FaultDirection.Upstream)]
    [InlineData(FaultDirection.Both)]
    public void A_latency_below_the_client_timeout_does_not_explain_an_overlap(FaultDirection direction)
    {
        var fault = new FaultRecord(new FaultWindow(500, 0, new Fault(FaultKind.Latency, direction, TimeSpan.FromMilliseconds(2500), TimeSpan.FromMilliseconds(400))), 500 * Ms, 3000 * Ms);

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
    public void A_stall_of_the_answers_postpones_the_cancellation_though_it_costs_no_lease()
    {
        // h2 started its lost claim as its reset ended; the renewal that found it lost ran at once, but its answer waited
        // out a stall of the replies (soak seed 810401784, c11).
        RunRecord[] runs = [Run("h0", 20406, 23840), Run("h2", 20698, 23825, RunOutcome.Cancelled)];
        FaultRecord[] faults = [On(2, FaultKind.Reset, FaultDirection.Upstream, 19215, 20697), On(FaultWindow.AllHosts, FaultKind.Stall, FaultDirection.Downstream, 20613, 23366)];

        Assert.Empty(FaultChecker.Check(History(OneHang, runs, faults)));
        Assert.Contains(FaultChecker.Check(History(OneHang, runs, faults.Take(1))), m => m.Contains(FaultChecker.Rules.LostRunNotCancelled, StringComparison.Ordinal));
    }

    [Fact]
    public void Two_cancels_after_a_held_back_version_and_a_write_that_threw_may_remove_the_claim_handed_back()
    {
        // v1 was claimed (v2 held back behind it) and handed back unrun; v3 threw; the first cancel removed v2 (or v3,
        // held back in its place), the second v1, pending again; v4 then found the id free (soak seed 1361515789, c23).
        var ops = new[]
        {
            Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.AlwaysThrow), Schedule(10, 2, ContentionChecker.RescheduledAfterRun, Behaviour.Fast), Schedule(20, 3, null, Behaviour.Fast),
            new OpResult(new PlanOp(30, "a", true, 0, 0, default, false, 0), null, true, 30 * Ms, 31 * Ms, null),
            new OpResult(new PlanOp(40, "a", true, 0, 0, default, false, 0), null, true, 40 * Ms, 41 * Ms, null),
            Schedule(50, 4, ScheduleStatus.Scheduled, Behaviour.Fast),
        };

        Assert.Empty(FaultChecker.Check(History(ops, [Run("h0", 60, 61, version: 4)])));
    }

    [Fact]
    public void A_cancel_after_a_write_that_threw_may_have_removed_that_write_though_the_latest_version_was_held_back()
    {
        // v2 was held back behind v1's run; v3 threw but happened; v2 was promoted when v1 ended and then claimed, v3 held
        // back behind it; the cancel removed v3; v2 ran (soak seed 1361515789, c15).
        var ops = new[]
        {
            Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.Fast), Schedule(10, 2, ContentionChecker.RescheduledAfterRun, Behaviour.Fast), Schedule(20, 3, null, Behaviour.Fast),
            new OpResult(new PlanOp(40, "a", true, 0, 0, default, false, 0), null, true, 40 * Ms, 41 * Ms, null),
        };

        Assert.Empty(FaultChecker.Check(History(ops, [Run("h0", 5, 30), Run("h1", 50, 51, version: 2)])));
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
    public void Of_two_faulted_workers_the_one_faulted_last_held_the_lost_claim()
    {
        // h2's claim of v1#2 lapsed in an earlier stall; h1 held the task's older claim through a stall that was still on
        // when h1 started it, after h2 had run it and v2 had been scheduled over it (soak seed 160203158, c13).
        var ops = new[] { Schedule(0, 1, ScheduleStatus.Scheduled, Behaviour.ThrowFirst), Schedule(27237, 2, ScheduleStatus.Scheduled, Behaviour.Fast) with { Returned = 27492 * Ms } };
        RunRecord[] runs = [Run("h2", 15148, 15148, RunOutcome.Threw), Run("h2", 27362, 27362, attempt: 2), Run("h1", 27994, 27994, attempt: 2), Run("h0", 28000, 28001, version: 2)];
        FaultRecord[] faults = [On(FaultWindow.AllHosts, FaultKind.Stall, FaultDirection.Upstream, 23990, 26488), On(1, FaultKind.Stall, FaultDirection.Both, 25735, 30039)];

        Assert.Empty(FaultChecker.Check(History(ops, runs, faults)));
        Assert.Equal("h1" + FaultChecker.LeaseLostSuffix, FaultChecker.ExemptLostLeases(History(ops, runs, faults)).History.Runs[2].Host);
    }

    [Fact]
    public void Past_the_limit_one_run_going_must_be_one_whose_slot_a_fault_cost()
    {
        // c3's run on h0 went on through a stall of its worker that let its slot lapse; c7 and c11 took the room meanwhile.
        static RunRecord Limited(string id, string host, int start, int end) => new(id, 1, 1, host, start * Ms, end * Ms, RunOutcome.Completed);
        OpResult Op(string id) => new(new PlanOp(0, id, false, 1, 0, new ContentionPayload(1, Behaviour.Hang, 0), false, 0), ScheduleStatus.Scheduled, null, 0, Ms, null);
        RunRecord[] runs = [Limited("c3", "h0", 100, 4000), Limited("c7", "h1", 1000, 5000), Limited("c11", "h2", 2500, 3000)];

        Assert.Empty(FaultChecker.Check(History([Op("c3"), Op("c7"), Op("c11")], runs, [On(0, FaultKind.Stall, FaultDirection.Upstream, 300, 4500)])));
        Assert.Contains(FaultChecker.Check(History([Op("c3"), Op("c7"), Op("c11")], runs)), m => m.StartsWith("[all] " + ContentionChecker.Rules.Limit, StringComparison.Ordinal));
        Assert.Contains(
            FaultChecker.Check(History([Op("c3"), Op("c7"), Op("c11")], [Limited("c3", "h0", 100, 9000), runs[1], runs[2]], [On(0, FaultKind.Stall, FaultDirection.Upstream, 300, 2700)])),
            m => m.StartsWith("[c3] " + FaultChecker.Rules.LostRunNotCancelled + ": v1#1@h0 [100ms..9000ms] Completed ran on after its slot was lost", StringComparison.Ordinal));
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
