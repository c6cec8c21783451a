using Athomic.Scheduler.Extensibility;

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
