using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>
/// Healthy workers with slow handlers and a backlog: a worker claims only what it can start soon and renews every
/// claim from the moment of the claim, so no lease expires in memory and no task runs twice.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class BacklogTests(RedisFixture redis)
{
    [Fact]
    public async Task Slow_handlers_with_a_backlog_run_each_task_once_across_three_workers()
    {
        // 250 ms handlers: far above LeaseDuration x MaxConcurrency / BatchSize = 1 s x 2 / 256 ≈ 8 ms.
        const int count = 48;
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        await using var connection = await ClaimHosts.ConnectAsync(redis);
        var hosts = Enumerable.Range(0, 3).Select(_ => ClaimHosts.Start(connection, prefix, log, streams: false)).ToList();
        var ids = Enumerable.Range(0, count).Select(i => "slow-" + i).ToList();
        await hosts[0].Scheduler().ScheduleManyAsync(ids.Select(id => ScheduleRequest.After(RunLog.Task(id, 1, workMs: 250), TimeSpan.Zero)).ToList());

        foreach (var host in hosts)
        {
            await host.StartAsync();
        }

        await Task.WhenAll(ids.Select(id => log.Succeeded(id, 1)));
        await Eventually.TrueAsync(async () => await redis.KeyCountAsync(prefix) == 0, TimeSpan.FromSeconds(10), "the store is empty");
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        hosts.ForEach(h => h.Dispose());

        var duplicates = log.Runs.GroupBy(r => r.TaskId).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"{log.Runs.Count} runs for {count} tasks; ran more than once: {string.Join(", ", duplicates)}");
        Assert.Equal(count, log.Runs.Count);
    }
}
