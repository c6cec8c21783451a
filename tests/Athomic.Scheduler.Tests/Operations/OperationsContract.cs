using System.Text;
using Athomic.Scheduler.Client;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using MessagePack;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Tests.Operations;

/// <summary>
/// What <see cref="ISchedulerOperations"/> must do on every store: run against Redis, Garnet, in-memory, and partitions
/// of them. Each test builds its own empty schedule and drives it through the store contracts.
/// </summary>
public abstract class OperationsContract
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Creates the stores of a new, empty schedule.</summary>
    private protected abstract Task<ScheduleStores> CreateStoresAsync();

    /// <summary>The store's clock (server time on Redis).</summary>
    protected virtual DateTimeOffset Now => DateTimeOffset.UtcNow;

    private protected virtual TimeProvider Time => TimeProvider.System;

    /// <summary>The router of the partitioned stores created last, or <see langword="null"/>.</summary>
    private protected PartitionRouter? Router { get; set; }

    private protected sealed record Setup(ScheduleStores Stores, ISchedulerOperations Operations, IScheduler Scheduler, IDeadLetterQueue DeadLetters);

    private protected async Task<Setup> CreateAsync()
    {
        var stores = await CreateStoresAsync();
        var scheduler = new StoreScheduler(stores.Schedule, stores.Recurring, Options.Create(new SchedulerOptions()), Time);
        var deadLetters = new DeadLetterQueue(stores.DeadLetters);
        return new Setup(stores, new SchedulerOperations(stores.Operations, stores.Statistics, scheduler, deadLetters, stores.DeadLetters, Time, Router), scheduler, deadLetters);
    }

    private protected static GenericTask NewTask(string id, string handler = "h", object? payload = null) =>
        new(handler, MessagePackSerializer.Serialize(payload ?? "p", Athomic.Scheduler.Tests.Shared.TestPayloads.Options), id);

    internal static async Task<List<TaskSummary>> ListAllAsync(ISchedulerOperations operations, TaskQuery query)
    {
        var all = new List<TaskSummary>();
        var cursor = query.Cursor;
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await operations.ListTasksAsync(query with { Cursor = cursor });
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
            if (cursor is null)
            {
                return all;
            }
        }

        throw new InvalidOperationException("The listing never ended.");
    }

    private protected static async Task DeadLetterAsync(ScheduleStores stores, string reason, params string[] ids)
    {
        foreach (var id in ids)
        {
            await stores.Schedule.ScheduleAsync([new StoreItem(id, TaskEnvelope.Write(NewTask(id, handler: id.StartsWith('x') ? "x" : "h")), 0, IsRelative: true)], ExistingTaskPolicy.Reschedule, default);
        }

        var claimed = new List<ClaimedEntry>();
        while (claimed.Count < ids.Length)
        {
            claimed.AddRange((await stores.Schedule.ClaimAsync(ids.Length, Lease, default)).Tasks);
        }

        foreach (var entry in claimed)
        {
            var record = new DeadLetter(entry.TaskId, entry.Envelope, reason + " " + entry.TaskId, 3, DateTimeOffset.UtcNow).Encode();
            Assert.True(await stores.Schedule.DeadLetterAsync(entry.Claim, record, default));
        }
    }

    [Fact]
    public async Task Paging_through_a_thousand_pending_tasks_returns_each_once_in_due_order()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        var start = Now.AddHours(1);

        // 100 distinct due times with 10 tasks each: ties are ordered by id.
        var requests = Enumerable.Range(0, 1000)
            .Select(i => ScheduleRequest.At(NewTask($"t{(i * 7919) % 1000:D4}"), start.AddSeconds(i % 100)))
            .ToList();
        await scheduler.ScheduleManyAsync(requests);
        var expected = requests
            .Select(r => (Id: r.Task.TaskId, Due: r.ExecutionTime!.Value.ToUnixTimeMilliseconds()))
            .OrderBy(e => e.Due).ThenBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => e.Id)
            .ToList();

        var listed = await ListAllAsync(operations, new TaskQuery { Limit = 37 });

        Assert.Equal(expected, listed.Select(t => t.TaskId).ToList());
        Assert.All(listed, t => Assert.Equal(ScheduledTaskState.Pending, t.State));
        Assert.All(listed, t => Assert.Equal("h", t.Handler));
        Assert.All(listed, t => Assert.NotNull(t.DueAt));
    }

    [Fact]
    public async Task A_cursor_whose_task_left_the_schedule_still_continues_after_it()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        var due = Now.AddHours(1);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 30).Select(i => ScheduleRequest.At(NewTask($"k{i:D2}"), due))]);

        var first = await operations.ListTasksAsync(new TaskQuery { Limit = 10 });
        Assert.True(await scheduler.CancelAsync(first.Items[^1].TaskId));
        Assert.True(await scheduler.CancelAsync("k10"));
        var rest = await ListAllAsync(operations, new TaskQuery { Limit = 10, Cursor = first.NextCursor });

        Assert.Equal([.. Enumerable.Range(11, 19).Select(i => $"k{i:D2}")], rest.Select(t => t.TaskId).ToList());
    }

    [Fact]
    public async Task Filters_by_handler_and_id_prefix_find_every_match_in_order()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        var start = Now.AddHours(1);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 400).Select(i => ScheduleRequest.At(
            NewTask($"{(i % 2 == 0 ? "even" : "odd")}:{i:D3}", handler: i % 5 == 0 ? "five" : "other"), start.AddMilliseconds(i)))]);

        var byHandler = await ListAllAsync(operations, new TaskQuery { Limit = 3, Handler = "five" });
        var byPrefix = await ListAllAsync(operations, new TaskQuery { Limit = 50, IdPrefix = "odd:" });
        var both = await ListAllAsync(operations, new TaskQuery { Limit = 7, IdPrefix = "even:", Handler = "five" });
        var none = await ListAllAsync(operations, new TaskQuery { Limit = 2, Handler = "missing" });

        Assert.Equal([.. Enumerable.Range(0, 400).Where(i => i % 5 == 0).Select(i => $"{(i % 2 == 0 ? "even" : "odd")}:{i:D3}")], byHandler.Select(t => t.TaskId).ToList());
        Assert.Equal([.. Enumerable.Range(0, 400).Where(i => i % 2 == 1).Select(i => $"odd:{i:D3}")], byPrefix.Select(t => t.TaskId).ToList());
        Assert.Equal([.. Enumerable.Range(0, 400).Where(i => i % 10 == 0).Select(i => $"even:{i:D3}")], both.Select(t => t.TaskId).ToList());
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_filtered_page_looks_at_a_bounded_number_of_entries()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        var start = Now.AddHours(1);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 300).Select(i => ScheduleRequest.At(NewTask($"n{i:D3}"), start.AddMilliseconds(i)))]);

        var page = await operations.ListTasksAsync(new TaskQuery { Limit = 5, Handler = "missing" });

        // 10 x 5 entries looked at per partition, none matched: an empty page that goes on.
        Assert.Empty(page.Items);
        Assert.NotNull(page.NextCursor);
    }

    [Fact]
    public async Task In_flight_tasks_are_listed_with_their_lease_deadline_and_owner()
    {
        var (stores, operations, scheduler, _) = await CreateAsync();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 5).Select(i => ScheduleRequest.After(NewTask($"f{i}"), TimeSpan.Zero))]);
        await scheduler.ScheduleAsync(NewTask("later"), TimeSpan.FromHours(1));
        var claimed = new List<ClaimedEntry>();
        while (claimed.Count < 5)
        {
            claimed.AddRange((await stores.Schedule.ClaimAsync(5, Lease, default)).Tasks);
        }

        var inFlight = await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.InFlight) { Limit = 2 });

        Assert.Equal(["f0", "f1", "f2", "f3", "f4"], inFlight.Select(t => t.TaskId).Order(StringComparer.Ordinal).ToList());
        Assert.All(inFlight, t =>
        {
            Assert.Equal(ScheduledTaskState.InFlight, t.State);
            Assert.Equal(LeaseOwnerName.Current, t.Owner);
            Assert.InRange(t.LeaseDeadline!.Value, Now + Lease - TimeSpan.FromSeconds(10), Now + Lease + TimeSpan.FromSeconds(1));
            Assert.Null(t.DueAt);
        });
        var detail = await operations.GetTaskAsync("f3");
        Assert.Equal(ScheduledTaskState.InFlight, detail!.Summary.State);
        Assert.Equal(LeaseOwnerName.Current, detail.Summary.Owner);

        // Ended claims leave the listing (and, on Redis, take their owner with them).
        foreach (var entry in claimed)
        {
            await stores.Schedule.AckAsync(entry.Claim, default);
        }

        Assert.Empty(await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.InFlight)));
    }

    [Fact]
    public async Task Dead_letters_are_listed_newest_first_with_their_reason_and_filters()
    {
        var (stores, operations, _, _) = await CreateAsync();
        await DeadLetterAsync(stores, "broke", "a1", "x2", "a3", "x4");

        var all = await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.DeadLetter) { Limit = 3 });
        var onlyX = await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.DeadLetter) { Limit = 1, Handler = "x" });

        Assert.Equal(4, all.Count);
        Assert.Equal(all.Select(t => t.TaskId).Distinct().Count(), all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.FailedAt >= p.Second.FailedAt), "newest first");
        Assert.All(all, t => Assert.Equal("broke " + t.TaskId, t.LastError));
        Assert.All(all, t => Assert.Equal(3, t.Attempt));
        Assert.Equal(["x2", "x4"], onlyX.Select(t => t.TaskId).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task A_task_is_read_with_its_payload_as_json_in_each_state()
    {
        var (stores, operations, scheduler, _) = await CreateAsync();
        await scheduler.ScheduleAsync(NewTask("pending", payload: new Dictionary<string, object> { ["user"] = 42, ["plan"] = "pro" }), TimeSpan.FromHours(1));
        await DeadLetterAsync(stores, "broke", "dead");

        var pending = await operations.GetTaskAsync("pending");
        var dead = await operations.GetTaskAsync("dead");

        Assert.Equal(ScheduledTaskState.Pending, pending!.Summary.State);
        Assert.Equal("h", pending.Summary.Handler);
        Assert.Equal(1, pending.Summary.Attempt);
        Assert.Equal(pending.Payload.Length, pending.Summary.PayloadSize);
        Assert.Equal("""{"user":42,"plan":"pro"}""", pending.PayloadToJson());
        Assert.Null(pending.PayloadToJson(maxPayloadBytes: 3));
        Assert.Equal(ScheduledTaskState.DeadLetter, dead!.Summary.State);
        Assert.Equal("broke dead", dead.Summary.LastError);
        Assert.Equal("\"p\"", dead.PayloadToJson());
        Assert.Null(await operations.GetTaskAsync("missing"));
    }

    [Fact]
    public async Task Run_now_makes_a_pending_task_due_and_refuses_one_in_flight()
    {
        var (stores, operations, scheduler, _) = await CreateAsync();
        await scheduler.ScheduleAsync(NewTask("later"), TimeSpan.FromHours(1));
        Assert.Empty((await stores.Schedule.ClaimAsync(10, Lease, default)).Tasks);

        Assert.Equal(RunNowStatus.Due, await operations.RunNowAsync("later"));
        Assert.InRange((await operations.GetTaskAsync("later"))!.Summary.DueAt!.Value, Now - TimeSpan.FromSeconds(10), Now + TimeSpan.FromSeconds(1));
        var claimed = Assert.Single((await stores.Schedule.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Equal("later", claimed.TaskId);
        Assert.Equal(RunNowStatus.InFlight, await operations.RunNowAsync("later"));
        Assert.Equal(RunNowStatus.NotFound, await operations.RunNowAsync("missing"));
    }

    [Fact]
    public async Task Cancel_through_the_scheduler_removes_a_listed_task()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        await scheduler.ScheduleAsync(NewTask("c1"), TimeSpan.FromHours(1));
        await scheduler.ScheduleAsync(NewTask("c2"), TimeSpan.FromHours(2));

        Assert.True(await scheduler.CancelAsync("c1"));

        Assert.Equal(["c2"], (await ListAllAsync(operations, new TaskQuery())).Select(t => t.TaskId).ToList());
    }

    [Fact]
    public async Task Recurring_schedules_are_listed_with_their_next_occurrence_triggered_once_and_removed()
    {
        var (_, operations, scheduler, _) = await CreateAsync();
        var ids = Enumerable.Range(0, 7).Select(i => "r" + i).ToList();
        foreach (var id in ids)
        {
            await scheduler.AddOrUpdateRecurringAsync(id, NewTask("ignored", handler: "rh"), RecurringSchedule.Every(TimeSpan.FromHours(1)));
        }

        var listed = new List<RecurringScheduleInfo>();
        string? cursor = null;
        do
        {
            var page = await operations.ListRecurringAsync(cursor, limit: 3);
            listed.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(ids, listed.Select(r => r.ScheduleId).Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.Equal(ids.Count, listed.Count);
        Assert.All(listed, r =>
        {
            Assert.Equal("rh", r.Handler);
            Assert.Equal(RecurringSchedule.Every(TimeSpan.FromHours(1)), r.Schedule);
            Assert.InRange(r.NextOccurrence!.Value, Now, Now + TimeSpan.FromHours(1) + TimeSpan.FromSeconds(5));
            Assert.Null(r.Error);
        });

        var extra = await operations.TriggerRecurringAsync("r3");
        Assert.StartsWith("r3@manual-", extra);
        var run = await operations.GetTaskAsync(extra!);
        Assert.Equal("rh", run!.Summary.Handler);
        Assert.Equal(ScheduledTaskState.Pending, run.Summary.State);
        Assert.Null(await operations.TriggerRecurringAsync("missing"));

        Assert.True(await scheduler.RemoveRecurringAsync("r3"));
        var after = await operations.ListRecurringAsync(limit: 100);
        Assert.DoesNotContain(after.Items, r => r.ScheduleId == "r3");
        Assert.Equal(6, (await operations.GetCountsAsync()).Sum(c => c.Recurring));
    }

    [Fact]
    public async Task Requeue_all_and_purge_empty_the_dead_letters()
    {
        var (stores, operations, _, deadLetters) = await CreateAsync();
        await DeadLetterAsync(stores, "broke", [.. Enumerable.Range(0, 12).Select(i => "d" + i)]);
        Assert.Equal(DeadLetterRequeueResult.Requeued, await deadLetters.RequeueAsync("d0"));

        Assert.Equal(11, await operations.RequeueAllDeadLettersAsync());

        Assert.Empty(await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.DeadLetter)));
        var pending = await ListAllAsync(operations, new TaskQuery());
        Assert.Equal(12, pending.Count);
        Assert.All(pending, t => Assert.Equal(1, t.Attempt));

        var (fresh, _, _, freshDeadLetters) = await CreateAsync();
        await DeadLetterAsync(fresh, "again", "e1", "e2");
        Assert.Equal(2, await freshDeadLetters.PurgeAllAsync());
        Assert.Empty((await freshDeadLetters.ListAsync()).Items);
    }

    [Fact]
    public async Task Every_dead_letter_of_an_id_is_listed_under_the_id_and_the_task_shows_the_newest()
    {
        var (stores, operations, _, _) = await CreateAsync();
        await DeadLetterAsync(stores, "first", "twin");
        await PassAsync(TimeSpan.FromMilliseconds(2)); // distinct times, so "newest" is defined
        await DeadLetterAsync(stores, "second", "twin");
        await DeadLetterAsync(stores, "one", "tie");
        await DeadLetterAsync(stores, "two", "tie"); // maybe in the same millisecond: the keyset pages still tell them apart

        var all = await ListAllAsync(operations, new TaskQuery(ScheduledTaskState.DeadLetter) { Limit = 1 });

        Assert.Equal(4, all.Count);
        Assert.Equal(["second twin", "first twin"], all.Where(t => t.TaskId == "twin").Select(t => t.LastError));
        Assert.Equal(["one tie", "two tie"], all.Where(t => t.TaskId == "tie").Select(t => t.LastError).Order(StringComparer.Ordinal));
        Assert.Equal("second twin", (await operations.GetTaskAsync("twin"))!.Summary.LastError);
        Assert.Equal(4, (await operations.GetCountsAsync()).Sum(c => c.DeadLetters));
    }

    [Fact]
    public async Task Requeue_all_ends_when_the_requeued_tasks_are_dead_lettered_again_at_once()
    {
        var stores = await CreateStoresAsync();
        var scheduler = new StoreScheduler(stores.Schedule, stores.Recurring, Options.Create(new SchedulerOptions()), Time);

        // A worker that fails every requeued task at once: its dead letter is back before the next page is read.
        var failing = new FailingAtOnce(new DeadLetterQueue(stores.DeadLetters), stores.Schedule);
        var operations = new SchedulerOperations(stores.Operations, stores.Statistics, scheduler, failing, stores.DeadLetters, Time, Router);
        await DeadLetterAsync(stores, "broke", [.. Enumerable.Range(0, 5).Select(i => "poison" + i)]);

        var requeued = await operations.RequeueAllDeadLettersAsync();

        Assert.Equal(5, requeued);
        Assert.Equal(5, failing.Requeues);
        Assert.Equal(5, (await stores.DeadLetters.ListDeadLettersAsync(0, 100, default)).Total);
    }

    /// <summary>Lets time pass on the store's clock: the fake clock in memory, real time on a server.</summary>
    private protected Task PassAsync(TimeSpan time)
    {
        if (Time is Microsoft.Extensions.Time.Testing.FakeTimeProvider fake)
        {
            fake.Advance(time);
            return Task.CompletedTask;
        }

        return Task.Delay(time);
    }

    /// <summary>Requeues through <paramref name="inner"/>, then claims the task and dead-letters it again before returning.</summary>
    private sealed class FailingAtOnce(IDeadLetterQueue inner, IScheduleStore store) : IDeadLetterQueue
    {
        private int _requeues;

        public int Requeues => Volatile.Read(ref _requeues);

        public async Task<DeadLetterRequeueResult> RequeueAsync(string taskId, TimeSpan delay = default, CancellationToken cancellationToken = default)
        {
            // Today's loop would never end: stop it with a failure the test reports.
            if (Interlocked.Increment(ref _requeues) > 50)
            {
                throw new InvalidOperationException("RequeueAllDeadLettersAsync requeued more than 50 times for 5 dead letters.");
            }

            var result = await inner.RequeueAsync(taskId, delay, cancellationToken);
            if (result == DeadLetterRequeueResult.Requeued)
            {
                var entry = Assert.Single((await store.ClaimAsync(1, Lease, default)).Tasks);
                var record = new DeadLetter(entry.TaskId, entry.Envelope, "broke again", 1, DateTimeOffset.UtcNow).Encode();
                Assert.True(await store.DeadLetterAsync(entry.Claim, record, default));
            }

            return result;
        }

        public Task<DeadLetterPage> ListAsync(int offset = 0, int count = 100, CancellationToken cancellationToken = default) => inner.ListAsync(offset, count, cancellationToken);

        public Task<DeadLetter?> GetAsync(string taskId, CancellationToken cancellationToken = default) => inner.GetAsync(taskId, cancellationToken);

        public Task<bool> PurgeAsync(string taskId, CancellationToken cancellationToken = default) => inner.PurgeAsync(taskId, cancellationToken);

        public Task<long> PurgeAllAsync(CancellationToken cancellationToken = default) => inner.PurgeAllAsync(cancellationToken);
    }

    [Fact]
    public async Task Counts_per_partition_add_up_to_the_schedule()
    {
        var (stores, operations, scheduler, _) = await CreateAsync();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 20).Select(i => ScheduleRequest.After(NewTask("p" + i), TimeSpan.FromHours(1)))]);
        await DeadLetterAsync(stores, "broke", "z1", "z2");

        var counts = await operations.GetCountsAsync();

        Assert.Equal(stores.Operations.Count, counts.Count);
        Assert.Equal(Enumerable.Range(0, counts.Count), counts.Select(c => c.Partition));
        Assert.Equal(20, counts.Sum(c => c.Pending));
        Assert.Equal(2, counts.Sum(c => c.DeadLetters));
        Assert.Equal(0, counts.Sum(c => c.InFlight));
    }

    [Fact]
    public async Task Invalid_queries_are_refused()
    {
        var (_, operations, _, _) = await CreateAsync();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => operations.ListTasksAsync(new TaskQuery { Limit = 0 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => operations.ListTasksAsync(new TaskQuery { Limit = TaskQuery.MaxLimit + 1 }));
        await Assert.ThrowsAsync<ArgumentException>(() => operations.ListTasksAsync(new TaskQuery { Cursor = "nonsense" }));
        await Assert.ThrowsAsync<ArgumentException>(() => operations.ListTasksAsync(new TaskQuery(ScheduledTaskState.InFlight) { Cursor = "p1:a" }));
        await Assert.ThrowsAsync<ArgumentException>(() => operations.ListRecurringAsync("x"));
    }
}
