using System.Diagnostics;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>
/// End to end through Sentinel (<c>UseRedis("host:port,…,serviceName=mymaster")</c>): 1 master, 1 replica and 3
/// sentinels on loopback, a scheduling host and a worker host, <c>WaitForReplicas = 1</c>; the master is SIGKILLed mid-run and
/// the sentinels promote the replica. Every acknowledged schedule must run, nothing may stay stuck, and the workers
/// must resume soon after the promotion, not a <c>MaxPollDelay</c> later (the worker's poll delay is set to grow to a
/// minute, so only a wake-up after the failover makes them resume quickly).
/// </summary>
[Collection(ReplicationCollection.Name)]
public sealed class SentinelFailoverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Killing_the_master_loses_no_acknowledged_task_and_the_workers_resume_after_the_promotion(bool streams)
    {
        await using var set = await SentinelSet.StartAsync();
        var prefix = RedisFixture.NewPrefix();
        var runs = new RunLog();
        using var worker = SentinelHost(set, prefix, runs, streams, workerEnabled: true);
        using var client = SentinelHost(set, prefix, runs, streams, workerEnabled: false);
        await worker.StartAsync();
        var scheduler = client.Services.GetRequiredService<IScheduler>();

        var load = ScheduleLoad.Start(scheduler);
        await Eventually.TrueAsync(() => Task.FromResult(runs.Count >= 200), TimeSpan.FromSeconds(30), "tasks run before the failover");
        var killedAt = runs.Now;
        await set.Master.StopAsync(); // SIGKILL
        await Eventually.TrueAsync(async () => await set.CurrentMasterPortAsync() == set.Replica.Port, TimeSpan.FromSeconds(60), "the sentinels promote the replica");
        var promoted = runs.Now - killedAt;

        // The new master needs a replica before WAIT confirms again: an operator adds one (the old master has no data).
        await using var newReplica = await RedisServer.StartReplicaAsync(set.Replica);
        await load.WhenAcknowledgedAsync(200, TimeSpan.FromSeconds(60));
        var ids = await load.StopAsync();
        await runs.WhenRan(ids, TimeSpan.FromSeconds(90));
        var resumed = runs.FirstRunAfter(killedAt + promoted); // a run that a claim on the new master made
        var operations = client.Services.GetRequiredService<ISchedulerOperations>();
        await Eventually.TrueAsync(async () => (await operations.GetCountsAsync()).All(c => c.Pending == 0 && c.InFlight == 0), TimeSpan.FromSeconds(60), "nothing stays pending or in flight");

        output.WriteLine($"{(streams ? "streams" : "in-process")}: {ids.Length} acknowledged, {load.Unconfirmed} unconfirmed, promoted {promoted.TotalSeconds:F1} s after the kill, first run {resumed?.TotalSeconds:F2} s after the promotion, {runs.Repeats} repeated runs");
        Assert.All(ids, id => Assert.True(runs.Ran(id), id));
        Assert.NotNull(resumed);
        Assert.True(resumed!.Value < TimeSpan.FromSeconds(10), $"workers resumed {resumed.Value.TotalSeconds:F1} s after the promotion");

        // The wake-up channel works on the new master: an idle worker (its poll delay grown to a minute) runs a task
        // due now within seconds.
        await Task.Delay(TimeSpan.FromSeconds(3)); // lets the idle poll delay grow past the wait below (a measurement window)
        var woken = Stopwatch.StartNew();
        await scheduler.ScheduleAsync(new GenericTask(RunLog.Handler, default), TimeSpan.Zero, "after-failover");
        await runs.WhenRan(["after-failover"], TimeSpan.FromSeconds(90));
        output.WriteLine($"an idle worker ran a new task {woken.Elapsed.TotalMilliseconds:F0} ms after it was scheduled");
        Assert.True(woken.Elapsed < TimeSpan.FromSeconds(5), $"the new task ran after {woken.Elapsed.TotalSeconds:F1} s: the worker was not woken");
        await worker.StopAsync();
    }

    /// <summary>A host through the sentinels whose idle poll delay grows to a minute: only a wake-up makes it resume quickly.</summary>
    private static IHost SentinelHost(SentinelSet set, string prefix, RunLog runs, bool streams, bool workerEnabled) =>
        ReplicatedHost.Build(set.ConnectionString, prefix, runs, streams, workerEnabled, o =>
        {
            o.Worker.MinPollDelay = TimeSpan.FromSeconds(2);
            o.Worker.BackoffFactor = 3;
            o.Worker.MaxPollDelay = TimeSpan.FromMinutes(1);
        });
}
