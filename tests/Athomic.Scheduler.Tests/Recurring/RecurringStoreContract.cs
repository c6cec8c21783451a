using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Store;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>
/// The recurring part of the store contract: the claim that dispatches an occurrence adds the successor the workers
/// prepared, in the same atomic step; and refuses it when it is missed or no longer the schedule's.
/// Run against Redis, embedded Garnet and the in-memory store.
/// </summary>
public abstract class RecurringStoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(1);

    private protected abstract Task<ScheduleStores> CreateStoresAsync();

    /// <summary>Lets <paramref name="time"/> pass on the store's clock.</summary>
    protected abstract Task PassAsync(TimeSpan time);

    private static byte[] Definition() =>
        new RecurringDefinition("h", new byte[] { 7 }, RecurringSchedule.Every(TimeSpan.FromHours(1))).Write();

    private static byte[] Envelope(string id) => TaskEnvelope.Write(new GenericTask("h", new byte[] { 7 }, id));

    private static RecurringAddRequest Add(RecurringDueEntry entry, long at, long? successor, TimeSpan? threshold = null) => new(
        entry.ScheduleId,
        entry.Revision,
        at,
        "job@" + at,
        Envelope("job@" + at),
        successor,
        successor is { } s ? Envelope("job@" + s) : default,
        threshold ?? Threshold);

    private async Task<(IScheduleStore Store, IRecurringStore Recurring, RecurringDueEntry Entry)> NewScheduleAsync()
    {
        var (store, recurring, _) = await CreateStoresAsync();
        Assert.Equal(RecurringUpsertStatus.Created, await recurring.UpsertRecurringAsync("job", Definition(), null, default));
        var entry = Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries);
        Assert.Equal(RecurringOccurrenceState.None, entry.Latest);
        return (store, recurring, entry);
    }

    [Fact]
    public async Task Claiming_an_occurrence_adds_its_prepared_successor_in_the_same_step()
    {
        var (store, recurring, entry) = await NewScheduleAsync();
        var w = entry.WatermarkMilliseconds;
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, w + 50, w + 400), default));
        Assert.Empty((await recurring.GetDueRecurringAsync(10, default)).Entries); // next look: occurrence + threshold

        await PassAsync(TimeSpan.FromMilliseconds(100));
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Equal("job@" + (w + 50), Assert.Single(batch.Tasks).TaskId);
        Assert.Equal(1, batch.RecurringDispatched);
        var successor = await store.GetAsync("job@" + (w + 400), default);
        Assert.Equal(ScheduledTaskState.Pending, successor!.State);
        Assert.Equal(w + 400, successor.ScoreMilliseconds);
        Assert.Equal("job@" + (w + 400), TaskEnvelope.Read(successor.Envelope).TaskId);

        // The schedule is listed at once, its new occurrence pending without a successor: a worker prepares the next.
        var listed = Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries);
        Assert.Equal((w + 400, RecurringOccurrenceState.Pending, "job@" + (w + 400)), (listed.WatermarkMilliseconds, listed.Latest, listed.LatestTaskId));
        var prepare = Add(listed, w + 400, w + 800) with { Envelope = default, SuccessorOnly = true };
        Assert.Equal(RecurringAddStatus.SuccessorPrepared, await recurring.AddOccurrenceAsync(prepare, default));
        Assert.Empty((await recurring.GetDueRecurringAsync(10, default)).Entries); // next look: occurrence + threshold

        await PassAsync(TimeSpan.FromMilliseconds(400));
        var second = await store.ClaimAsync(10, Lease, default);
        Assert.Equal(("job@" + (w + 400), 1), (Assert.Single(second.Tasks).TaskId, second.RecurringDispatched));
        Assert.Equal(ScheduledTaskState.Pending, (await store.GetAsync("job@" + (w + 800), default))!.State);
    }

    [Fact]
    public async Task Deferring_re_indexes_only_a_schedule_still_due()
    {
        var (_, recurring, entry) = await NewScheduleAsync();
        var defer = RecurringAddRequest.Defer("job", entry.Revision, TimeSpan.FromSeconds(5));
        Assert.Equal(RecurringAddStatus.Deferred, await recurring.AddOccurrenceAsync(defer, default));
        var batch = await recurring.GetDueRecurringAsync(10, default);
        Assert.Empty(batch.Entries);
        Assert.InRange(batch.NextDueMilliseconds!.Value - batch.NowMilliseconds, 4_000, 5_000);

        // Not due any more (deferred, or indexed later by a worker that added an occurrence): left alone.
        Assert.Equal(RecurringAddStatus.AlreadyAdded, await recurring.AddOccurrenceAsync(defer with { DeferFor = TimeSpan.FromHours(1) }, default));
        Assert.Equal(RecurringAddStatus.Stale, await recurring.AddOccurrenceAsync(defer with { Revision = entry.Revision + 1 }, default));
        Assert.InRange((await recurring.GetDueRecurringAsync(10, default)).NextDueMilliseconds!.Value - batch.NowMilliseconds, 4_000, 5_000);

        // A deferral moves no watermark: a worker that can read the schedule still adds its occurrence.
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, entry.WatermarkMilliseconds + 50, null), default));
    }

    [Fact]
    public async Task A_missed_successor_is_not_added_and_the_schedule_is_listed_with_its_occurrence_gone()
    {
        var (store, recurring, entry) = await NewScheduleAsync();
        var w = entry.WatermarkMilliseconds;
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, w + 50, w + 100, threshold: TimeSpan.Zero), default));

        await PassAsync(TimeSpan.FromMilliseconds(300)); // the successor's latest start (w + 100) has passed
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Equal(("job@" + (w + 50), 1), (Assert.Single(batch.Tasks).TaskId, batch.RecurringDispatched));
        Assert.Null(await store.GetAsync("job@" + (w + 100), default));
        var listed = Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries);
        Assert.Equal((w + 50, RecurringOccurrenceState.Gone), (listed.WatermarkMilliseconds, listed.Latest));
    }

    [Fact]
    public async Task A_successor_superseded_by_a_later_occurrence_is_never_added()
    {
        var (store, recurring, entry) = await NewScheduleAsync();
        var w = entry.WatermarkMilliseconds;
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, w + 50, w + 400), default));
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, w + 600, null), default));
        Assert.Equal(RecurringAddStatus.AlreadyAdded, await recurring.AddOccurrenceAsync(Add(entry, w + 400, null), default));

        await PassAsync(TimeSpan.FromMilliseconds(100));
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Equal(("job@" + (w + 50), 0), (Assert.Single(batch.Tasks).TaskId, batch.RecurringDispatched));
        Assert.Null(await store.GetAsync("job@" + (w + 400), default));
        Assert.Equal(ScheduledTaskState.Pending, (await store.GetAsync("job@" + (w + 600), default))!.State);
    }

    [Fact]
    public async Task Removing_the_schedule_cancels_its_occurrence_and_forgets_the_successor()
    {
        var (store, recurring, entry) = await NewScheduleAsync();
        var w = entry.WatermarkMilliseconds;
        Assert.Equal(RecurringAddStatus.Added, await recurring.AddOccurrenceAsync(Add(entry, w + 50, w + 400), default));
        Assert.True(await recurring.RemoveRecurringAsync("job", default));
        Assert.Equal(RecurringUpsertStatus.Created, await recurring.UpsertRecurringAsync("job", Definition(), null, default));

        await PassAsync(TimeSpan.FromMilliseconds(500));
        var batch = await store.ClaimAsync(10, Lease, default);

        Assert.Empty(batch.Tasks);
        Assert.Null(await store.GetAsync("job@" + (w + 400), default));
        Assert.Equal(RecurringOccurrenceState.None, Assert.Single((await recurring.GetDueRecurringAsync(10, default)).Entries).Latest);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisRecurringStoreContractTests(RedisFixture redis) : RecurringStoreContract
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(redis.Connection, RedisFixture.NewPrefix()));

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}

public sealed class GarnetRecurringStoreContractTests(GarnetFixture garnet) : RecurringStoreContract, IClassFixture<GarnetFixture>
{
    private protected override Task<ScheduleStores> CreateStoresAsync() =>
        Task.FromResult(RedisStores.Create(garnet.Connection, RedisFixture.NewPrefix()));

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}

public sealed class InMemoryRecurringStoreContractTests : RecurringStoreContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private protected override Task<ScheduleStores> CreateStoresAsync() => Task.FromResult(InMemoryStores.Create(_time));

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}
