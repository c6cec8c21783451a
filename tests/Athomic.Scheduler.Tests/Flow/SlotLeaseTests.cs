using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Shared;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>A slot is a lease: it comes back when its holder dies, and only its own claim frees it.</summary>
[Collection(RedisCollection.Name)]
public sealed class SlotLeaseTests(RedisFixture redis)
{
    private static readonly HandlerFlowSpec OneAtATime = new() { MaxConcurrency = 1 };

    private static FlowRequest Request(string member) => new("slot.test", null, member, OneAtATime);

    [Fact]
    public async Task A_crashed_holders_slot_comes_back_when_its_lease_expires()
    {
        var flow = new RedisFlowStore(redis.Connection, RedisFixture.NewPrefix());

        // A worker takes the only slot, then dies: nothing renews or frees it. Its 1 s lease must outlive the next call
        // (300 ms was a race on two loaded cores).
        Assert.True((await flow.AcquireAsync([Request("0|task-a|1")], TimeSpan.FromSeconds(1), default))[0].Granted);
        Assert.False((await flow.AcquireAsync([Request("0|task-b|1")], TimeSpan.FromSeconds(30), default))[0].Granted);

        await Eventually.TrueAsync(
            async () => (await flow.AcquireAsync([Request("0|task-b|1")], TimeSpan.FromSeconds(30), default))[0].Granted,
            TimeSpan.FromSeconds(10),
            "the dead holder's slot came back");
    }

    [Fact]
    public async Task A_stale_claim_cannot_free_the_slot_a_newer_claim_holds()
    {
        var flow = new RedisFlowStore(redis.Connection, RedisFixture.NewPrefix());

        // Token 1's lease expired and the task was claimed again (token 2), which holds the slot now.
        Assert.True((await flow.AcquireAsync([Request("0|task-a|2")], TimeSpan.FromSeconds(30), default))[0].Granted);
        await flow.ReleaseAsync([Request("0|task-a|1")], default); // the stalled run with token 1 ends
        Assert.False((await flow.AcquireAsync([Request("0|task-b|1")], TimeSpan.FromSeconds(30), default))[0].Granted);

        await flow.ReleaseAsync([Request("0|task-a|2")], default);
        Assert.True((await flow.AcquireAsync([Request("0|task-b|1")], TimeSpan.FromSeconds(30), default))[0].Granted);
    }

    [Fact]
    public async Task Renewal_keeps_a_live_slot_and_does_not_take_back_an_expired_one()
    {
        var flow = new RedisFlowStore(redis.Connection, RedisFixture.NewPrefix());
        // A first lease of 1 s, which the renewal right after must beat (400 ms was a race on two loaded cores).
        Assert.True((await flow.AcquireAsync([Request("0|task-a|1")], TimeSpan.FromSeconds(1), default))[0].Granted);
        await flow.ExtendAsync([Request("0|task-a|1")], TimeSpan.FromSeconds(30), default);
        await Task.Delay(TimeSpan.FromMilliseconds(1200)); // time passing past the first lease (no event: the point is that nothing happens)
        Assert.False((await flow.AcquireAsync([Request("0|task-b|1")], TimeSpan.FromSeconds(30), default))[0].Granted);

        // Another holder's slot lapsed; its late renewal does not bring it back over the newer holder.
        var other = new RedisFlowStore(redis.Connection, RedisFixture.NewPrefix());
        Assert.True((await other.AcquireAsync([Request("0|task-x|1")], TimeSpan.FromMilliseconds(200), default))[0].Granted);
        await Eventually.TrueAsync(
            async () => (await other.AcquireAsync([Request("0|task-y|1")], TimeSpan.FromSeconds(30), default))[0].Granted,
            TimeSpan.FromSeconds(10),
            "the lapsed slot was taken by another claim");
        await other.ExtendAsync([Request("0|task-x|1")], TimeSpan.FromSeconds(30), default);
        Assert.False((await other.AcquireAsync([Request("0|task-z|1")], TimeSpan.FromSeconds(30), default))[0].Granted);
        await other.ReleaseAsync([Request("0|task-y|1")], default);
        Assert.True((await other.AcquireAsync([Request("0|task-z|1")], TimeSpan.FromSeconds(30), default))[0].Granted);
    }
}
