using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>Dead letters are trimmed to a count and to an age: by the writes that add them, and by the workers' polls.</summary>
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
    public async Task Dead_letters_older_than_the_age_are_removed_by_the_polls_of_a_quiet_schedule()
    {
        var (store, _, deadLetters) = await CreateAsync(0, TimeSpan.FromMilliseconds(300));
        await DeadLetterAsync(store, "old");
        await PassAsync(TimeSpan.FromMilliseconds(400));

        // No new dead letter is written: only the workers poll.
        await PollAsync(store);

        Assert.Equal(0, (await deadLetters.ListDeadLettersAsync(0, 10, default)).Total);
        Assert.Null(await deadLetters.GetDeadLetterAsync("old", default));
    }

    [Fact]
    public async Task A_poll_trims_a_bounded_number_of_dead_letters()
    {
        var (store, _, deadLetters) = await CreateAsync(0, TimeSpan.FromSeconds(1));

        // 150 dead letters in one burst (well within the age, so their own writes trim none of them).
        var items = Enumerable.Range(0, 150).Select(i => new StoreItem("k" + i, TaskEnvelope.Write(new GenericTask("h", default, "k" + i)), 0, IsRelative: true)).ToList();
        await store.ScheduleAsync(items, ExistingTaskPolicy.Reschedule, default);
        var claimed = (await store.ClaimAsync(150, TimeSpan.FromMinutes(1), default)).Tasks;
        Assert.Equal(150, claimed.Count);
        Assert.All(await Task.WhenAll(claimed.Select(c => store.DeadLetterAsync(c.Claim, new DeadLetter(c.TaskId, c.Envelope, "broke", 1, DateTimeOffset.UnixEpoch).Encode(), default))), Assert.True);
        Assert.Equal(150, (await deadLetters.ListDeadLettersAsync(0, 1, default)).Total);

        await PassAsync(TimeSpan.FromMilliseconds(1200));
        await PollAsync(store);
        var afterOne = (await deadLetters.ListDeadLettersAsync(0, 1, default)).Total;
        await PollAsync(store);

        Assert.Equal(50, afterOne); // at most 100 per call
        Assert.Equal(0, (await deadLetters.ListDeadLettersAsync(0, 1, default)).Total);
    }

    /// <summary>One poll of a worker that finds nothing due (the lease broker's claim; the Redis streams broker's promotion in its own test).</summary>
    protected virtual async Task PollAsync(IScheduleStore store) =>
        Assert.Empty((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);

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

    [Fact]
    public async Task A_tasks_earlier_dead_letters_are_trimmed_oldest_first_like_any_other()
    {
        var (store, _, deadLetters) = await CreateAsync(2, TimeSpan.Zero);
        foreach (var (id, payload) in new[] { ("twin", "1"), ("twin", "2"), ("twin", "3"), ("other", "o"), ("last", "l") })
        {
            await DeadLetterAsync(store, id, payload);
            await PassAsync(TimeSpan.FromMilliseconds(2)); // distinct times, so "oldest" is defined
        }

        var afterTwins = (await deadLetters.ListDeadLettersAsync(0, 10, default)).Items;
        Assert.Equal(["last", "other"], afterTwins.Select(l => l.TaskId));
        Assert.Null(await deadLetters.GetDeadLetterAsync("twin", default));
        Assert.Equal(0, await deadLetters.PurgeDeadLettersAsync(["twin"], default));
        Assert.Equal(2, await StoredFieldsAsync() ?? 2); // nothing of "twin" left behind
    }

    [Fact]
    public async Task A_tasks_earlier_dead_letter_is_trimmed_before_its_newest()
    {
        // Only the count rule: two letters of one task, then the limit is passed by the others.
        var (store, _, deadLetters) = await CreateAsync(3, TimeSpan.Zero);
        await DeadLetterAsync(store, "twin", "1");
        await PassAsync(TimeSpan.FromMilliseconds(2));
        await DeadLetterAsync(store, "twin", "2");
        await PassAsync(TimeSpan.FromMilliseconds(2));
        await DeadLetterAsync(store, "a", "a");
        await PassAsync(TimeSpan.FromMilliseconds(2));
        await DeadLetterAsync(store, "b", "b");

        Assert.Equal(["b", "a", "twin"], (await deadLetters.ListDeadLettersAsync(0, 10, default)).Items.Select(l => l.TaskId));
        Assert.Equal("2", System.Text.Encoding.UTF8.GetString((await deadLetters.GetDeadLetterAsync("twin", default))!.TryReadTask()!.Payload.Span));
    }

    /// <summary>How many fields the store's dead-letter hash holds (Redis), to find strays; <see langword="null"/>: not known.</summary>
    protected virtual Task<long?> StoredFieldsAsync() => Task.FromResult<long?>(null);

    protected static async Task DeadLetterAsync(IScheduleStore store, string id, string payload = "")
    {
        var envelope = TaskEnvelope.Write(new GenericTask("h", System.Text.Encoding.UTF8.GetBytes(payload), id));
        await store.ScheduleAsync([new StoreItem(id, envelope, 0, IsRelative: true)], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromMinutes(1), default)).Tasks);
        Assert.True(await store.DeadLetterAsync(claimed.Claim, new DeadLetter(id, envelope, "broke", 1, DateTimeOffset.UnixEpoch).Encode(), default));
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisDeadLetterRetentionTests(RedisFixture redis) : DeadLetterRetentionContract
{
    private string _prefix = string.Empty;

    private protected override Task<ScheduleStores> CreateAsync(int maxCount, TimeSpan maxAge) =>
        Task.FromResult(RedisStores.Create(redis.Connection, _prefix = RedisFixture.NewPrefix(), new DeadLetterRetention(maxCount, maxAge)));

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);

    protected override async Task<long?> StoredFieldsAsync() => await redis.Connection.GetDatabase().HashLengthAsync("{" + _prefix + "}:dead");
}

/// <summary>The same rules with the Redis streams broker, whose polls are promotions into the stream.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStreamsDeadLetterRetentionTests(RedisFixture redis) : DeadLetterRetentionContract
{
    private RedisStreamQueue? _queue;

    private protected override async Task<ScheduleStores> CreateAsync(int maxCount, TimeSpan maxAge)
    {
        var prefix = RedisFixture.NewPrefix();
        var retention = new DeadLetterRetention(maxCount, maxAge);
        _queue = new RedisStreamQueue(redis.Connection, prefix, "test") { Retention = retention };
        await _queue.EnsureGroupAsync();
        return RedisStores.Create(redis.Connection, prefix, retention);
    }

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);

    protected override async Task PollAsync(IScheduleStore store) => Assert.Equal(0, (await _queue!.PromoteAsync(10)).Count);
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
