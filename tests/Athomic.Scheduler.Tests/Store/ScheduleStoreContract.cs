using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// The behaviour every <see cref="IScheduleStore"/> must have; run against the Redis store and the in-memory store.
/// Time passes through <see cref="PassAsync"/>: real time on Redis (its server clock), a fake clock in memory.
/// </summary>
public abstract partial class ScheduleStoreContract
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Creates the stores of a new, empty schedule.</summary>
    private protected abstract Task<ScheduleStores> CreateStoresAsync();

    /// <summary>Creates a new, empty schedule's task store.</summary>
    protected async Task<IScheduleStore> CreateAsync() => (await CreateStoresAsync()).Schedule;

    /// <summary>Lets <paramref name="time"/> pass on the store's clock.</summary>
    protected abstract Task PassAsync(TimeSpan time);

    protected static StoreItem Due(string id, TimeSpan delay, string payload = "p") =>
        new(id, Envelope(id, payload), (long)delay.TotalMilliseconds, IsRelative: true);

    protected static StoreItem At(string id, DateTimeOffset at, string payload = "p") =>
        new(id, Envelope(id, payload), at.ToUnixTimeMilliseconds(), IsRelative: false);

    protected static byte[] Envelope(string id, string payload, int attempt = 1) =>
        TaskEnvelope.Write(new GenericTask("h", System.Text.Encoding.UTF8.GetBytes(payload), id) { Attempt = attempt });

    [Fact]
    public async Task Due_task_is_claimed_once_with_its_envelope()
    {
        var store = await CreateAsync();
        Assert.Equal([ScheduleStatus.Scheduled], await store.ScheduleAsync([Due("a", TimeSpan.Zero, "hello")], ExistingTaskPolicy.Reschedule, default));

        var first = await store.ClaimAsync(10, Lease, default);
        var second = await store.ClaimAsync(10, Lease, default);

        var entry = Assert.Single(first.Tasks);
        Assert.Equal("a", entry.TaskId);
        Assert.False(entry.Reclaimed);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(entry.Envelope).Payload.Span));
        Assert.Empty(second.Tasks);
        Assert.Equal(ScheduledTaskState.InFlight, (await store.GetAsync("a", default))!.State);
    }

    [Fact]
    public async Task Expired_leases_are_counted_until_a_handler_finishes_the_task()
    {
        var store = await CreateAsync();
        var shortLease = TimeSpan.FromMilliseconds(50);
        await store.ScheduleAsync([Due("a", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);

        var counts = new List<(bool Reclaimed, int Expired)>();
        for (var i = 0; i < 3; i++)
        {
            var entry = Assert.Single((await store.ClaimAsync(10, shortLease, default)).Tasks);
            counts.Add((entry.Reclaimed, entry.ExpiredLeases));
            await PassAsync(TimeSpan.FromMilliseconds(100)); // the claimer "died": its lease expires
        }

        // A handler finished it (a retry): the count starts again.
        var held = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.True(await store.RetryAsync(held.Claim, Envelope("a", "p", attempt: 2), TimeSpan.Zero, default));
        var fresh = Assert.Single((await store.ClaimAsync(10, shortLease, default)).Tasks);
        await PassAsync(TimeSpan.FromMilliseconds(100));
        var again = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal([(false, 0), (true, 1), (true, 2)], counts);
        Assert.Equal((false, 0), (fresh.Reclaimed, fresh.ExpiredLeases));
        Assert.Equal((true, 1), (again.Reclaimed, again.ExpiredLeases));
    }

    [Fact]
    public async Task Future_task_is_not_claimed_and_next_due_is_reported()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("later", TimeSpan.FromHours(1))], ExistingTaskPolicy.Reschedule, default);

        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Empty(batch.Tasks);
        Assert.NotNull(batch.NextDueIn);
        Assert.InRange(batch.NextDueIn!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Empty_store_reports_nothing_due()
    {
        var store = await CreateAsync();
        var batch = await store.ClaimAsync(10, Lease, default);
        Assert.Empty(batch.Tasks);
        Assert.Null(batch.NextDueIn);
    }

    [Fact]
    public async Task Past_execution_time_runs_as_soon_as_possible()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([At("past", new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero))], ExistingTaskPolicy.Reschedule, default);
        Assert.Equal("past", Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks).TaskId);
    }

    [Fact]
    public async Task Tasks_are_claimed_in_due_order_up_to_the_batch_size()
    {
        var store = await CreateAsync();
        var origin = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await store.ScheduleAsync([At("c", origin.AddSeconds(3)), At("a", origin.AddSeconds(1)), At("b", origin.AddSeconds(2))], ExistingTaskPolicy.Reschedule, default);

        var batch = await store.ClaimAsync(2, Lease, default);

        Assert.Equal(["a", "b"], batch.Tasks.Select(t => t.TaskId));
        Assert.Equal(TimeSpan.Zero, batch.NextDueIn);
    }

    [Fact]
    public async Task Scheduling_an_existing_id_reschedules_it()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("x", TimeSpan.FromHours(1), "old")], ExistingTaskPolicy.Reschedule, default);

        var status = await store.ScheduleAsync([Due("x", TimeSpan.Zero, "new")], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal([ScheduleStatus.Rescheduled], status);
        Assert.Equal("new", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(claimed.Envelope).Payload.Span));
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
    }

    [Fact]
    public async Task Refuse_policy_keeps_the_existing_task()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("x", TimeSpan.FromHours(1), "old")], ExistingTaskPolicy.Reschedule, default);

        var status = await store.ScheduleAsync([Due("x", TimeSpan.Zero, "new")], ExistingTaskPolicy.Refuse, default);
        var stored = await store.GetAsync("x", default);

        Assert.Equal([ScheduleStatus.AlreadyExists], status);
        Assert.Equal("old", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(stored!.Envelope).Payload.Span));
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
    }

    [Fact]
    public async Task Cancel_removes_only_pending_tasks()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("pending", TimeSpan.FromHours(1)), Due("due", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        await store.ClaimAsync(10, Lease, default);

        Assert.True(await store.CancelAsync("pending", default));
        Assert.False(await store.CancelAsync("pending", default));
        Assert.False(await store.CancelAsync("unknown", default));
        Assert.False(await store.CancelAsync("due", default));
        Assert.Null(await store.GetAsync("pending", default));
        Assert.NotNull(await store.GetAsync("due", default));
    }

    [Fact]
    public async Task Ack_forgets_the_task_but_not_a_newer_schedule_of_the_same_id()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("a", TimeSpan.Zero), Due("b", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var claims = (await store.ClaimAsync(10, Lease, default)).Tasks.ToDictionary(t => t.TaskId, t => t.Claim);
        Assert.Equal(
            [ScheduleStatus.RescheduledAfterRun],
            await store.ScheduleAsync([Due("b", TimeSpan.FromHours(1), "again")], ExistingTaskPolicy.Reschedule, default));

        Assert.True(await store.AckAsync(claims["a"], default));
        Assert.False(await store.AckAsync(claims["a"], default));
        Assert.True(await store.AckAsync(claims["b"], default)); // b's run ends: its newer version becomes pending
        Assert.False(await store.AckAsync(claims["b"], default));

        Assert.Null(await store.GetAsync("a", default));
        var b = await store.GetAsync("b", default);
        Assert.Equal(ScheduledTaskState.Pending, b!.State);
        Assert.Equal("again", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(b.Envelope).Payload.Span));
    }

    [Fact]
    public async Task Retry_puts_the_next_attempt_back_in_the_schedule()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("r", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.True(await store.RetryAsync(claimed.Claim, Envelope("r", "p", attempt: 2), TimeSpan.Zero, default));
        var again = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal(2, TaskEnvelope.Read(again.Envelope).Attempt);
        Assert.False(await store.RetryAsync(new TaskClaim("unknown", 1), Envelope("unknown", "p"), TimeSpan.Zero, default));
    }

    [Fact]
    public async Task Release_hands_tasks_back_due_now()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("r1", TimeSpan.Zero), Due("r2", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var claims = (await store.ClaimAsync(10, Lease, default)).Tasks.Select(t => t.Claim).ToList();

        Assert.Equal(2, await store.ReleaseAsync([.. claims, new TaskClaim("unknown", 1)], default));
        Assert.Equal(2, (await store.ClaimAsync(10, Lease, default)).Tasks.Count);
    }

    [Fact]
    public async Task Expired_lease_is_reclaimed_first_and_marked()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("lost", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);

        // A 1 s lease must outlive the gap to the next call: 100 ms did not always on two loaded cores (on a real clock).
        await store.ClaimAsync(10, TimeSpan.FromSeconds(1), default);
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);

        await PassAsync(TimeSpan.FromMilliseconds(1200));
        await store.ScheduleAsync([Due("fresh", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Equal(["lost", "fresh"], batch.Tasks.Select(t => t.TaskId));
        Assert.True(batch.Tasks[0].Reclaimed);
        Assert.False(batch.Tasks[1].Reclaimed);
    }

    [Fact]
    public async Task Extended_lease_is_not_reclaimed()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("held", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var claim = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMilliseconds(100), default)).Tasks).Claim;

        Assert.Equal([new TaskClaim("unknown", 7)], await store.ExtendLeasesAsync([claim, new TaskClaim("unknown", 7)], TimeSpan.FromHours(1), default));
        await PassAsync(TimeSpan.FromMilliseconds(150));

        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Null(await store.GetAsync("unknown", default));
    }

    [Fact]
    public async Task Dead_letter_keeps_the_envelope_and_reason()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await store.ScheduleAsync([Due("d", TimeSpan.Zero, "payload")], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        var record = new DeadLetter("d", claimed.Envelope, "it broke", 3, DateTimeOffset.UnixEpoch.AddDays(1)).Encode();

        Assert.True(await store.DeadLetterAsync(claimed.Claim, record, default));
        var letter = Assert.Single(await deadLetters.GetDeadLettersAsync(10, default));

        Assert.Null(await store.GetAsync("d", default));
        Assert.Equal("it broke", letter.Reason);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal("payload", System.Text.Encoding.UTF8.GetString(letter.TryReadTask()!.Payload.Span));
    }

    [Fact]
    public async Task Many_tasks_in_one_call_span_several_script_chunks()
    {
        var store = await CreateAsync();
        var items = Enumerable.Range(0, 2500).Select(i => Due("m" + i, TimeSpan.Zero)).ToList();
        items.Add(Due("m7", TimeSpan.Zero, "dup"));

        var statuses = await store.ScheduleAsync(items, ExistingTaskPolicy.Reschedule, default);
        var claimed = new HashSet<string>();
        for (var batch = await store.ClaimAsync(1000, Lease, default); batch.Tasks.Count > 0; batch = await store.ClaimAsync(1000, Lease, default))
        {
            foreach (var t in batch.Tasks)
            {
                Assert.True(claimed.Add(t.TaskId));
            }
        }

        Assert.Equal(2501, statuses.Length);
        Assert.Equal(2500, statuses.Count(s => s == ScheduleStatus.Scheduled));
        Assert.Equal(ScheduleStatus.Rescheduled, statuses[^1]);
        Assert.Equal(2500, claimed.Count);
    }

    [Fact]
    public async Task Subscribers_are_woken_only_by_an_earlier_task()
    {
        var store = await CreateAsync();
        var woken = 0;
        var signal = new SemaphoreSlim(0);
        await using var subscription = await store.SubscribeAsync(() => { Interlocked.Increment(ref woken); signal.Release(); }, default);

        await store.ScheduleAsync([Due("first", TimeSpan.FromHours(2))], ExistingTaskPolicy.Reschedule, default);
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5)));
        await store.ScheduleAsync([Due("later", TimeSpan.FromHours(3))], ExistingTaskPolicy.Reschedule, default);
        await store.ScheduleAsync([Due("sooner", TimeSpan.FromHours(1))], ExistingTaskPolicy.Reschedule, default);
        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(5)));

        // A round trip after the last publish: any wake-up for "later" would have arrived by now.
        await store.GetAsync("later", default);
        Assert.Equal(2, Volatile.Read(ref woken));
    }
}
