using Athomic.Scheduler.Streams;
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

    /// <summary>
    /// Found by the fault harness (faults-streams-p4-x3 seed 839352842: 3 runs of a handler limited to 2): a stream
    /// entry that another consumer took over ran there under the same slot member (<c>s</c> + the entry), so its
    /// admission was granted although the room was full, and the first of the two runs to end freed the slot the other
    /// still used. Each consumer's delivery takes a slot of its own.
    /// </summary>
    [Fact]
    public async Task A_stream_entry_another_consumer_took_over_does_not_run_there_beside_the_run_holding_the_slot()
    {
        var prefix = RedisFixture.NewPrefix();
        var probe = new FlowProbe();
        void Options(SchedulerOptions o, string consumer)
        {
            o.Worker.LeaseDuration = o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(2);
            o.Streams.ConsumerName = consumer;
        }

        await using var connectionA = await ClaimHosts.ConnectAsync(redis, timeoutMilliseconds: 1000);
        using var a = ClaimHosts.Start(connectionA, prefix, probe, streams: true, o => Options(o, "a"));
        await a.StartAsync();
        await a.Scheduler().ScheduleAsync(new GenericTask(FlowProbe.OneSlot, default, "held"), TimeSpan.Zero);
        var first = probe.Run(1);
        Assert.Equal(1, await first.Started()); // on a, in the only slot

        // Consumer b takes the entry over while a's run goes on, as after a stall of a past the visibility timeout: the
        // entry is made to look idle until b's reclaim sweep takes it.
        await using var connectionB = await ClaimHosts.ConnectAsync(redis, timeoutMilliseconds: 1000);
        using var b = ClaimHosts.Start(connectionB, prefix, probe, streams: true, o => Options(o, "b"));
        await b.StartAsync();
        var db = redis.Connection.GetDatabase();
        RedisKey stream = "{" + prefix + "}:stream";
        var owner = Assert.Single(await db.StreamPendingMessagesAsync(stream, RedisStreamQueue.GroupName, 10, RedisValue.Null)).ConsumerName;
        await Eventually.TrueAsync(
            async () =>
            {
                var pending = await db.StreamPendingMessagesAsync(stream, RedisStreamQueue.GroupName, 10, RedisValue.Null);
                if (pending.Length != 1 || pending[0].ConsumerName != owner)
                {
                    return true;
                }

                await db.ExecuteAsync("XCLAIM", stream, RedisStreamQueue.GroupName, (string)owner!, 0, (string)pending[0].MessageId!, "IDLE", 60_000, "JUSTID");
                return false;
            },
            TimeSpan.FromSeconds(20),
            "consumer b took the entry over");

        // a's keep-alive finds the entry taken and cancels its run; the task runs again once the slot is free, never beside it.
        await first.TokenCancelled();
        Assert.Equal(nameof(TaskCanceledException), await first.Ended());
        Assert.Equal(1, await probe.Run(2).Started());
        Assert.Equal("returned", await probe.Run(2).Ended());
        await Task.WhenAll(a.StopAsync(), b.StopAsync());
        Assert.Equal(1, probe.MostRunning);
    }
}
