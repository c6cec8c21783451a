using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// Fencing: every claim has a token; ack, retry, release, dead letter and lease renewal act only on the current claim;
/// a version scheduled while an id is claimed is held back until that claim ends.
/// </summary>
public abstract partial class ScheduleStoreContract
{
    private static string Payload(ReadOnlyMemory<byte> envelope) => System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(envelope).Payload.Span);

    [Fact]
    public async Task A_stale_claim_can_neither_end_nor_extend_the_claim_that_replaced_it()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await store.ScheduleAsync([Due("f", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var stale = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMilliseconds(50), default)).Tasks).Claim;
        await PassAsync(TimeSpan.FromMilliseconds(100)); // the first claimer stalled: its lease expires
        var current = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;
        var record = new DeadLetter("f", Envelope("f", "p"), "stale", 1, DateTimeOffset.UnixEpoch).Encode();

        Assert.NotEqual(stale.Token, current.Token);
        Assert.False(await store.AckAsync(stale, default));
        Assert.False(await store.RetryAsync(stale, Envelope("f", "p", attempt: 2), TimeSpan.Zero, default));
        Assert.False(await store.DeadLetterAsync(stale, record, default));
        Assert.Equal(0, await store.ReleaseAsync([stale], default));
        Assert.Equal([stale], await store.ExtendLeasesAsync([stale, current], TimeSpan.FromHours(1), default));
        Assert.Equal(ScheduledTaskState.InFlight, (await store.GetAsync("f", default))!.State);
        Assert.Empty(await deadLetters.GetDeadLettersAsync(10, default));
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.True(await store.AckAsync(current, default));
        Assert.Null(await store.GetAsync("f", default));
    }

    [Fact]
    public async Task A_version_scheduled_while_its_id_is_claimed_is_held_back_until_the_claim_ends()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("h", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;

        var statuses = await store.ScheduleAsync([Due("h", TimeSpan.Zero, "v2"), Due("h", TimeSpan.Zero, "v3")], ExistingTaskPolicy.Reschedule, default);
        var during = await store.GetAsync("h", default);
        var claimedDuring = (await store.ClaimAsync(10, Lease, default)).Tasks;
        Assert.True(await store.AckAsync(claim, default));
        var next = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal([ScheduleStatus.RescheduledAfterRun, ScheduleStatus.RescheduledAfterRun], statuses);
        Assert.Equal((ScheduledTaskState.InFlight, "v1"), (during!.State, Payload(during.Envelope)));
        Assert.Empty(claimedDuring);
        Assert.Equal("v3", Payload(next.Envelope)); // the last version held back replaced the one before it
        Assert.True(await store.AckAsync(next.Claim, default));
        Assert.Null(await store.GetAsync("h", default));
    }

    [Fact]
    public async Task A_version_held_back_keeps_its_own_due_time()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("t", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;
        await store.ScheduleAsync([Due("t", TimeSpan.FromHours(1), "v2")], ExistingTaskPolicy.Reschedule, default);

        Assert.True(await store.AckAsync(claim, default));
        var pending = await store.GetAsync("t", default);

        Assert.Equal((ScheduledTaskState.Pending, "v2"), (pending!.State, Payload(pending.Envelope)));
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
    }

    [Fact]
    public async Task The_version_held_back_replaces_the_retry_of_the_run_that_failed()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("r", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;
        await store.ScheduleAsync([Due("r", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Reschedule, default);

        Assert.True(await store.RetryAsync(claim, Envelope("r", "v1", attempt: 2), TimeSpan.Zero, default));
        var next = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal(("v2", 1), (Payload(next.Envelope), TaskEnvelope.Read(next.Envelope).Attempt));
    }

    [Fact]
    public async Task A_dead_lettered_run_keeps_its_record_and_the_version_held_back_becomes_pending()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await store.ScheduleAsync([Due("d", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        await store.ScheduleAsync([Due("d", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Reschedule, default);

        var record = new DeadLetter("d", claimed.Envelope, "v1 broke", 3, DateTimeOffset.UnixEpoch).Encode();
        Assert.True(await store.DeadLetterAsync(claimed.Claim, record, default));
        var next = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal("v1 broke", Assert.Single(await deadLetters.GetDeadLettersAsync(10, default)).Reason);
        Assert.Equal("v2", Payload(next.Envelope));
    }

    [Fact]
    public async Task A_released_run_goes_first_and_the_version_held_back_follows_it()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("l", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;
        await store.ScheduleAsync([Due("l", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Reschedule, default);

        Assert.Equal(1, await store.ReleaseAsync([claim], default));
        var again = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Equal("v1", Payload(again.Envelope));
        Assert.True(await store.AckAsync(again.Claim, default));
        var next = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal("v2", Payload(next.Envelope));
    }

    [Fact]
    public async Task Cancel_removes_the_version_held_back_but_not_the_run()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("c", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;

        Assert.False(await store.CancelAsync("c", default)); // nothing held back: the run goes on
        await store.ScheduleAsync([Due("c", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Reschedule, default);
        Assert.True(await store.CancelAsync("c", default));
        Assert.False(await store.CancelAsync("c", default));
        Assert.Equal(ScheduledTaskState.InFlight, (await store.GetAsync("c", default))!.State);
        Assert.True(await store.AckAsync(claim, default));

        Assert.Null(await store.GetAsync("c", default));
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
    }

    [Fact]
    public async Task Refuse_refuses_an_id_that_is_claimed()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("x", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).Claim;

        Assert.Equal([ScheduleStatus.AlreadyExists], await store.ScheduleAsync([Due("x", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Refuse, default));
        Assert.True(await store.AckAsync(claim, default));
        Assert.Null(await store.GetAsync("x", default));
    }

    [Fact]
    public async Task A_version_held_back_behind_an_expired_claim_waits_for_the_reclaimed_run()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("e", TimeSpan.Zero, "v1")], ExistingTaskPolicy.Reschedule, default);
        Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMilliseconds(50), default)).Tasks);
        await store.ScheduleAsync([Due("e", TimeSpan.Zero, "v2")], ExistingTaskPolicy.Reschedule, default);
        await PassAsync(TimeSpan.FromMilliseconds(100)); // the claimer died: v1 was claimed, so v1 runs again first

        var reclaimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Equal(("v1", true), (Payload(reclaimed.Envelope), reclaimed.Reclaimed));
        Assert.True(await store.AckAsync(reclaimed.Claim, default));
        var next = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal(("v2", false), (Payload(next.Envelope), next.Reclaimed));
    }
}
