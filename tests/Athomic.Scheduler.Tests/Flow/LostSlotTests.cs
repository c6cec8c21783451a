using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// A run whose flow-control slot lapsed while its claim stayed valid (found by the fault harness, issue 21: a stall
/// then a reset cost a worker its slot renewals while a renewal of its claim's lease got through, and two other runs
/// took the room: three runs of a handler limited to two). On both brokers: the next slot renewal finds the slot gone
/// and cancels the run, as a lost claim's run is cancelled; the task runs again under a slot of its own.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LostSlotTests(RedisFixture redis)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_whose_slot_lapsed_has_its_token_cancelled_and_runs_again_under_a_new_slot(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var probe = new FlowProbe();
        await using var connection = await ClaimHosts.ConnectAsync(redis, timeoutMilliseconds: 1000);
        using var host = ClaimHosts.Start(connection, prefix, probe, streams, o => o.Worker.LeaseDuration = o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(2));
        await host.StartAsync();

        await host.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.OneSlot, default, "held"), TimeSpan.Zero);
        var stale = probe.Run(1);
        Assert.Equal(1, await stale.Started());

        // The slot lapses (its renewals were lost) while the claim is kept: another run may take the room now.
        RedisKey slots = "{" + prefix + "#flow}:slots:" + FlowProbe.OneSlot;
        var db = redis.Connection.GetDatabase();
        Assert.Equal(1, await db.SortedSetLengthAsync(slots));
        await db.KeyDeleteAsync(slots);

        await stale.TokenCancelled(); // by the next slot renewal
        Assert.Equal(nameof(TaskCanceledException), await stale.Ended());
        var rerun = probe.Run(2);
        Assert.Equal(1, await rerun.Started()); // the same attempt: losing the slot used none
        Assert.Equal("returned", await rerun.Ended());
        await host.StopAsync();
        Assert.Equal(2, probe.Started);
    }
}
