using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>The dead-letter part of the store contract: page, read, requeue atomically, purge.</summary>
public abstract partial class ScheduleStoreContract
{
    [Fact]
    public async Task Dead_letters_are_paged_newest_first_with_the_total()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterAsync(store, "a", "b", "c");

        var first = await deadLetters.ListDeadLettersAsync(0, 2, default);
        var second = await deadLetters.ListDeadLettersAsync(2, 2, default);

        Assert.Equal(3, first.Total);
        Assert.Equal(["c", "b"], first.Items.Select(l => l.TaskId));
        Assert.Equal(["a"], second.Items.Select(l => l.TaskId));
        Assert.Equal("broke a", (await deadLetters.GetDeadLetterAsync("a", default))!.Reason);
        Assert.Null(await deadLetters.GetDeadLetterAsync("zz", default));
    }

    [Fact]
    public async Task Requeue_moves_a_dead_letter_back_to_pending_in_one_step()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterAsync(store, "r");

        var result = await deadLetters.RequeueDeadLetterAsync("r", Envelope("r", "again"), TimeSpan.Zero, default);

        Assert.Equal(DeadLetterRequeueResult.Requeued, result);
        Assert.Null(await deadLetters.GetDeadLetterAsync("r", default));
        Assert.Equal(0, (await deadLetters.ListDeadLettersAsync(0, 10, default)).Total);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Equal("again", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(claimed.Envelope).Payload.Span));
        Assert.Equal(DeadLetterRequeueResult.NotFound, await deadLetters.RequeueDeadLetterAsync("r", Envelope("r", "x"), TimeSpan.Zero, default));
    }

    [Fact]
    public async Task Requeue_is_refused_while_a_task_with_the_same_id_is_scheduled()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterAsync(store, "twin");
        await store.ScheduleAsync([Due("twin", TimeSpan.FromHours(1), "new")], ExistingTaskPolicy.Reschedule, default);

        var result = await deadLetters.RequeueDeadLetterAsync("twin", Envelope("twin", "old"), TimeSpan.Zero, default);

        Assert.Equal(DeadLetterRequeueResult.AlreadyScheduled, result);
        Assert.NotNull(await deadLetters.GetDeadLetterAsync("twin", default));
        Assert.Equal("new", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read((await store.GetAsync("twin", default))!.Envelope).Payload.Span));
    }

    [Fact]
    public async Task Purge_deletes_one_or_all_dead_letters()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterAsync(store, "p1", "p2", "p3");

        Assert.Equal(1, await deadLetters.PurgeDeadLettersAsync(["p2", "unknown"], default));
        Assert.Equal(2, await deadLetters.PurgeDeadLettersAsync(null, default));
        Assert.Equal(0, (await deadLetters.ListDeadLettersAsync(0, 10, default)).Total);
        Assert.Equal(0, await deadLetters.PurgeDeadLettersAsync(null, default));
    }

    [Fact]
    public async Task A_second_dead_letter_for_the_same_id_keeps_the_first_with_its_payload()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterWithPayloadAsync(store, "twin", "first");
        await PassAsync(TimeSpan.FromMilliseconds(2)); // distinct times, so "newest" is defined
        await DeadLetterWithPayloadAsync(store, "twin", "second");

        // Both are kept, listed and counted; the calls by id see the newest.
        var page = await deadLetters.ListDeadLettersAsync(0, 10, default);
        Assert.Equal(2, page.Total);
        Assert.Equal(["second", "first"], page.Items.Select(PayloadOf));
        Assert.All(page.Items, l => Assert.Equal("twin", l.TaskId));
        Assert.Equal("second", PayloadOf((await deadLetters.GetDeadLetterAsync("twin", default))!));

        // Requeueing takes the newest; the first is then the id's dead letter, requeued once the id is free again.
        Assert.Equal(DeadLetterRequeueResult.Requeued, await deadLetters.RequeueDeadLetterAsync("twin", Envelope("twin", "second"), TimeSpan.Zero, default));
        Assert.Equal("first", PayloadOf((await deadLetters.GetDeadLetterAsync("twin", default))!));
        Assert.Equal(1, (await deadLetters.ListDeadLettersAsync(0, 10, default)).Total);
        Assert.Equal(DeadLetterRequeueResult.AlreadyScheduled, await deadLetters.RequeueDeadLetterAsync("twin", Envelope("twin", "first"), TimeSpan.Zero, default));
        var second = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        Assert.Equal("second", System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(second.Envelope).Payload.Span));
        Assert.True(await store.AckAsync(second.Claim, default));
        Assert.Equal(DeadLetterRequeueResult.Requeued, await deadLetters.RequeueDeadLetterAsync("twin", Envelope("twin", "first"), TimeSpan.Zero, default));
        Assert.Null(await deadLetters.GetDeadLetterAsync("twin", default));
        Assert.Equal(0, (await deadLetters.ListDeadLettersAsync(0, 10, default)).Total);
    }

    [Fact]
    public async Task Purging_an_id_deletes_each_of_its_dead_letters()
    {
        var (store, _, deadLetters) = await CreateStoresAsync();
        await DeadLetterWithPayloadAsync(store, "many", "1");
        await PassAsync(TimeSpan.FromMilliseconds(2));
        await DeadLetterWithPayloadAsync(store, "many", "2");
        await PassAsync(TimeSpan.FromMilliseconds(2));
        await DeadLetterWithPayloadAsync(store, "many", "3");
        await DeadLetterWithPayloadAsync(store, "other", "o");

        Assert.Equal(3, await deadLetters.PurgeDeadLettersAsync(["many"], default));

        Assert.Null(await deadLetters.GetDeadLetterAsync("many", default));
        Assert.Equal(["other"], (await deadLetters.ListDeadLettersAsync(0, 10, default)).Items.Select(l => l.TaskId));
        Assert.Equal(0, await deadLetters.PurgeDeadLettersAsync(["many"], default));
    }

    private static string PayloadOf(DeadLetter letter) => System.Text.Encoding.UTF8.GetString(letter.TryReadTask()!.Payload.Span);

    private static async Task DeadLetterWithPayloadAsync(IScheduleStore store, string id, string payload)
    {
        await store.ScheduleAsync([Due(id, TimeSpan.Zero, payload)], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
        var record = new DeadLetter(id, claimed.Envelope, "broke " + id, 2, DateTimeOffset.UnixEpoch).Encode();
        Assert.True(await store.DeadLetterAsync(claimed.Claim, record, default));
    }

    private static async Task DeadLetterAsync(IScheduleStore store, params string[] ids)
    {
        foreach (var id in ids)
        {
            await store.ScheduleAsync([Due(id, TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
            var claimed = Assert.Single((await store.ClaimAsync(10, Lease, default)).Tasks);
            var record = new DeadLetter(id, claimed.Envelope, "broke " + id, 2, DateTimeOffset.UnixEpoch).Encode();
            Assert.True(await store.DeadLetterAsync(claimed.Claim, record, default));
        }
    }
}
