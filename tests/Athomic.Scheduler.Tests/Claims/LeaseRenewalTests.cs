using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Partitions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>Lease renewal: a failed renewal is retried at once, a stalled reply holds back no renewal, and start-up refuses a lease one slow reply can cost.</summary>
[Collection(RedisCollection.Name)]
public sealed class LeaseRenewalTests(RedisFixture redis)
{
    [Fact]
    public async Task A_failed_renewal_is_retried_long_before_the_next_period()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var store = new CountingStore(new InMemoryScheduleStore(new InMemorySchedule(time)), failExtend: n => n == 1);
        using var keeper = await StartHoldingOneClaimAsync(time, store);

        await AdvanceUntilAsync(time, store, calls: 1, step: TimeSpan.FromSeconds(10)); // the first renewal, a third into the lease, fails
        // The retry comes within a second of fake time, not a whole period (10 s) later.
        await AdvanceUntilAsync(time, store, calls: 2, step: TimeSpan.FromMilliseconds(100), limit: TimeSpan.FromSeconds(1));
        await keeper.StopAsync(default);

        Assert.Equal(2, store.Extends);
    }

    [Fact]
    public async Task A_renewal_whose_reply_stalls_does_not_hold_back_the_next_one()
    {
        // Redis ran renewal 1, but its answer never comes (a stall of the replies alone): renewal 2 must still go out a
        // period after it, or the lease lapses in Redis while the client waits for its timeout.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
        var store = new CountingStore(new InMemoryScheduleStore(new InMemorySchedule(time)), stallExtend: n => n == 1);
        using var keeper = await StartHoldingOneClaimAsync(time, store);

        await AdvanceUntilAsync(time, store, calls: 1, step: TimeSpan.FromSeconds(10)); // sent; its reply stalls
        await AdvanceUntilAsync(time, store, calls: 2, step: TimeSpan.FromSeconds(1), limit: TimeSpan.FromSeconds(10));
        await AdvanceUntilAsync(time, store, calls: 3, step: TimeSpan.FromSeconds(1), limit: TimeSpan.FromSeconds(10));
        await keeper.StopAsync(default);

        Assert.Equal(3, store.Extends);
    }

    [Fact]
    public async Task A_lease_shorter_than_twice_the_connection_timeout_stops_the_start()
    {
        // The fixture's connection waits up to 5 s for a reply: a renewal that slow must still be retried within the lease.
        using var host = Hosts.Redis(redis.Connection, RedisFixture.NewPrefix(), new RecordingRegistry(), o => o.Worker.LeaseDuration = TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Worker:LeaseDuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_that_does_not_claim_starts_with_any_lease()
    {
        using var host = Hosts.Redis(redis.Connection, RedisFixture.NewPrefix(), new RecordingRegistry(), o =>
        {
            o.Worker.LeaseDuration = TimeSpan.FromSeconds(3);
            o.Worker.Enabled = false;
        });

        await host.StartAsync();
        await host.StopAsync();
    }

    /// <summary>Starts a lease keeper (30 s lease) holding one claim made in <paramref name="store"/>.</summary>
    private static async Task<LeaseKeeper> StartHoldingOneClaimAsync(FakeTimeProvider time, CountingStore store)
    {
        var options = Options.Create(new SchedulerOptions { Worker = { LeaseDuration = TimeSpan.FromSeconds(30) } });
        var keeper = new LeaseKeeper(store, options, time, NullLogger<LeaseKeeper>.Instance);
        await store.ScheduleAsync([new StoreItem("held", TaskEnvelope.Write(new GenericTask("h", default, "held")), 0, true)], ExistingTaskPolicy.Reschedule, default);
        var claimed = Assert.Single((await store.ClaimAsync(10, TimeSpan.FromSeconds(30), default)).Tasks);
        keeper.Track(TaskEnvelope.Read(claimed.Envelope), claimed.Token);
        await keeper.StartAsync(default);
        return keeper;
    }

    /// <summary>Advances the fake clock by <paramref name="step"/> until the store saw <paramref name="calls"/> renewals.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, CountingStore store, int calls, TimeSpan step, TimeSpan? limit = null)
    {
        var advanced = TimeSpan.Zero;
        while (store.Extends < calls)
        {
            Assert.True(limit is null || advanced < limit, $"no renewal call {calls} within {limit} of fake time");
            time.Advance(step);
            advanced += step;
            await store.WhenExtendedAsync(calls, TimeSpan.FromMilliseconds(200)); // the keeper's loop runs on the thread pool
        }
    }
}
