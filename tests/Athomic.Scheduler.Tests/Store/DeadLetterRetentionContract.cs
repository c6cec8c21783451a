using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>Dead letters are trimmed by the writes that add them: to a count and to an age.</summary>
public abstract class DeadLetterRetentionContract
{
    /// <summary>A store that keeps at most <paramref name="maxCount"/> dead letters for at most <paramref name="maxAge"/> (0: no limit).</summary>
    private protected abstract Task<ScheduleStores> CreateAsync(int maxCount, TimeSpan maxAge);

    protected abstract Task PassAsync(TimeSpan time);

    [Fact]
    public async Task Dead_letters_beyond_the_count_are_removed_oldest_first()
    {
        var (store, _, deadLetters) = await CreateAsync(3, TimeSpan.Zero);
        foreach (var id in new[] { "d1", "d2", "d3", "d4", "d5" })
        {
            await DeadLetterAsync(store, id);
            await PassAsync(TimeSpan.FromMilliseconds(2)); // distinct times, so "oldest" is defined
        }

        var page = await deadLetters.ListDeadLettersAsync(0, 10, default);

        Assert.Equal(3, page.Total);
        Assert.Equal(["d5", "d4", "d3"], page.Items.Select(d => d.TaskId));
    }

    [Fact]
    public async Task Dead_letters_older_than_the_age_are_removed()
    {
        var (store, _, deadLetters) = await CreateAsync(0, TimeSpan.FromMilliseconds(300));
        await DeadLetterAsync(store, "old");
        await PassAsync(TimeSpan.FromMilliseconds(400));
        await DeadLetterAsync(store, "new");

        var page = await deadLetters.ListDeadLettersAsync(0, 10, default);

        Assert.Equal(["new"], page.Items.Select(d => d.TaskId));
        Assert.Null(await deadLetters.GetDeadLetterAsync("old", default));
    }

    [Fact]
    public async Task No_limits_keep_every_dead_letter()
    {
        var (store, _, deadLetters) = await CreateAsync(0, TimeSpan.Zero);
        for (var i = 0; i < 120; i++)
        {
            await DeadLetterAsync(store, "k" + i);
        }

        Assert.Equal(120, (await deadLetters.ListDeadLettersAsync(0, 1, default)).Total);
    }

    private static async Task DeadLetterAsync(IScheduleStore store, string id)
    {
        var envelope = TaskEnvelope.Write(new GenericTask("h", default, id));
        await store.ScheduleAsync([new StoreItem(id, envelope, 0, IsRelative: true)], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);
        Assert.True(await store.DeadLetterAsync(claimed.Claim, new DeadLetter(id, envelope, "broke", 1, DateTimeOffset.UnixEpoch).Encode(), default));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisDeadLetterRetentionTests(RedisFixture redis) : DeadLetterRetentionContract
{
    private protected override Task<ScheduleStores> CreateAsync(int maxCount, TimeSpan maxAge) =>
        Task.FromResult(RedisStores.Create(redis.Connection, RedisFixture.NewPrefix(), new DeadLetterRetention(maxCount, maxAge)));

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);
}

public sealed class InMemoryDeadLetterRetentionTests : DeadLetterRetentionContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    private protected override Task<ScheduleStores> CreateAsync(int maxCount, TimeSpan maxAge) =>
        Task.FromResult(InMemoryStores.Create(_time, new DeadLetterRetention(maxCount, maxAge)));

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}
