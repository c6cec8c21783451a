using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>Per-key concurrency (with its fairness policy), on real Redis with several hosts; the rate limit is <see cref="RateLimitTests"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class KeyAndRateLimitTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MaxConcurrencyPerKey_holds_per_key_across_hosts_and_a_deep_key_does_not_starve_a_small_one(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(perKey: 1) { Work = TimeSpan.FromMilliseconds(10) };
        var hosts = Enumerable.Range(0, 2).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, o => o.Partitions = 2, streams)).ToList();
        var scheduler = hosts[0].Services.GetRequiredService<IScheduler>();

        // Key "big" has 100 due tasks, scheduled first (due earlier); key "small" has 10, due after all of them.
        var requests = Enumerable.Range(0, 100).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.PerKey, TestPayloads.Serialize("big"), "big-" + i), TimeSpan.Zero))
            .Concat(Enumerable.Range(0, 10).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.PerKey, TestPayloads.Serialize("small-" + (i % 2)), "small-" + i), TimeSpan.FromMilliseconds(50))))
            .ToList();
        await scheduler.ScheduleManyAsync(requests);
        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await registry.WhenRuns(FlowRegistry.PerKey, 110, Timeout);
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        Assert.Equal(1, registry.MaxRunning(FlowRegistry.PerKey + "#big"));
        Assert.Equal(1, registry.MaxRunning(FlowRegistry.PerKey + "#small-0"));
        Assert.Equal(1, registry.MaxRunning(FlowRegistry.PerKey + "#small-1"));
        Assert.True(registry.MaxRunning(FlowRegistry.PerKey) >= 2, "different keys run side by side");
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));

        // Fairness: keys are served in turn, so the small keys finish long before the big one's backlog.
        var starts = registry.Starts.Where(s => s.Handler == FlowRegistry.PerKey).OrderBy(s => s.Start).Select(s => s.Key).ToList();
        var lastSmall = starts.FindLastIndex(k => k != "big");
        Assert.True(lastSmall < 50, $"the last small-key run started as run {lastSmall} of 110");
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }
}
