using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Shared;
using Athomic.Scheduler.Tests.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// The rate limit across hosts: its check compares the handlers' start times with the window, so it runs in the
/// serial timing collection (after the parallel tests, on that collection's own redis-server).
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class RateLimitTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task RateLimit_holds_cluster_wide_in_every_window_and_every_task_runs_once()
    {
        const int count = 24;
        var window = TimeSpan.FromMilliseconds(400);
        var prefix = RedisFixture.NewPrefix();
        var registry = new FlowRegistry(rate: 4, window: window) { Work = TimeSpan.Zero };
        var hosts = Enumerable.Range(0, 3).Select(_ => Hosts.Redis(redis.Connection, prefix, registry, o => o.Partitions = 2)).ToList();
        var scheduler = hosts[0].Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, count).Select(i => ScheduleRequest.After(new GenericTask(FlowRegistry.Rated, default, "rate-" + i), TimeSpan.Zero))]);

        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await registry.WhenRuns(FlowRegistry.Rated, count, Timeout);
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        // Starts are taken on the server's clock; the handlers record theirs a little later, so a window here is
        // narrowed by the hand-off's jitter before counting: 200 ms (half the window), as other test assemblies may load
        // both cores. A limiter that let starts through unchecked would start all 24 within a few milliseconds.
        var starts = registry.Starts.Where(s => s.Handler == FlowRegistry.Rated).Select(s => s.Start).Order().ToList();
        Assert.Equal(count, starts.Count);
        for (var i = 0; i + 4 < starts.Count; i++)
        {
            Assert.True(starts[i + 4] - starts[i] >= window - Jitter, $"5 starts within {(starts[i + 4] - starts[i]).TotalMilliseconds} ms");
        }

        // The achieved rate is close to the configured one: 24 starts at 4 per 400 ms need at least 5 windows.
        var span = starts[^1] - starts[0];
        Assert.True(span >= 5 * window - Jitter, $"24 starts in {span.TotalMilliseconds} ms");
        Assert.True(span <= 5 * window + TimeSpan.FromSeconds(3), $"24 starts took {span.TotalMilliseconds} ms: the limiter waits too long");
        Assert.All(registry.Runs.Values, runs => Assert.Equal(1, runs));
        Assert.Empty(await FlowLeftovers.LeftoverAsync(redis, prefix));
    }
}
