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

    [Fact]
    public async Task Claims_in_two_partitions_with_the_same_token_are_both_renewed()
    {
        // Each partition counts its own fencing tokens, so the first claim in each has token 1: the lease keeper must
        // tell them apart by task id and token, or one lease is never renewed and its live run is taken over.
        var prefix = RedisFixture.NewPrefix();
        var log = new RunLog();
        await using var connection = await ClaimHosts.ConnectAsync(redis);
        var ids = Enumerable.Range(0, 100).Select(i => "p-" + i).ToList();
        var a = ids.First(id => Storage.TaskPartitioner.PartitionOf(id, 2) == 0);
        var b = ids.First(id => Storage.TaskPartitioner.PartitionOf(id, 2) == 1);
        using var worker = ClaimHosts.Start(connection, prefix, log, streams: false, o => o.Partitions = 2);
        using var other = ClaimHosts.Start(connection, prefix, log, streams: false, o => o.Partitions = 2);
        await worker.StartAsync();
        await worker.Scheduler().ScheduleManyAsync([ScheduleRequest.After(RunLog.Task(a, 1, gated: true), TimeSpan.Zero), ScheduleRequest.After(RunLog.Task(b, 1, gated: true), TimeSpan.Zero)]);
        await Task.WhenAll(log.Started(a, 1), log.Started(b, 1));
        await other.StartAsync(); // would take over a lease that is not renewed

        await other.PolledAsync(10); // 2.5+ s: more than two lease durations pass while both runs hold
        log.Open(a, 1);
        log.Open(b, 1);
        await Task.WhenAll(log.Succeeded(a, 1), log.Succeeded(b, 1));
        await Eventually.TrueAsync(async () => await redis.KeyCountAsync(prefix) == 0, TimeSpan.FromSeconds(10), "the store is empty");
        await Task.WhenAll(worker.StopAsync(), other.StopAsync());

        Assert.Equal(2, log.Runs.Count);
    }
}
