using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Partitions;

/// <summary>
/// Partition hash tags are unambiguous: no partition of one scheduler shares keys with a partition of another
/// scheduler on the same Redis, whatever their (valid) key prefixes and partition counts.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class KeyPrefixTests(RedisFixture redis)
{
    [Fact]
    public async Task A_scheduler_whose_prefix_looks_like_another_schedulers_partition_shares_no_keys_with_it()
    {
        var a = RedisFixture.NewPrefix();
        var b = a + ":1"; // once the tag of a's partition 1
        using var hostA = Hosts.Redis(redis.Connection, a, new RecordingRegistry(), o => (o.Partitions, o.Worker.Enabled) = (4, false));
        using var hostB = Hosts.Redis(redis.Connection, b, new RecordingRegistry(), o => o.Worker.Enabled = false);
        var schedulerA = hostA.Services.GetRequiredService<IScheduler>();
        var schedulerB = hostB.Services.GetRequiredService<IScheduler>();
        var ids = Enumerable.Range(0, 1000).Select(i => "x" + i).ToArray();
        var inPartition1 = ids.First(id => TaskPartitioner.PartitionOf(id, 4) == 1);
        var alsoInPartition1 = ids.Last(id => TaskPartitioner.PartitionOf(id, 4) == 1);

        await schedulerB.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 2 }, inPartition1), TimeSpan.FromHours(1));
        await schedulerA.ScheduleAsync(new GenericTask(RecordingRegistry.Record, new byte[] { 1 }, alsoInPartition1), TimeSpan.FromHours(1));

        Assert.Null(await schedulerA.GetAsync(inPartition1));      // a does not see b's task
        Assert.False(await schedulerA.CancelAsync(inPartition1));  // nor cancel it
        Assert.Null(await schedulerB.GetAsync(alsoInPartition1));
        Assert.Equal(new byte[] { 2 }, (await schedulerB.GetAsync(inPartition1))!.Task.Payload.ToArray());
        var db = redis.Connection.GetDatabase();
        Assert.Equal(1, await db.HashLengthAsync("{" + b + "}:tasks")); // b's schedule holds b's task only
        var tagsOfA = Enumerable.Range(0, 4).Select(p => TaskPartitioner.PartitionPrefix(a, p)).ToArray();
        Assert.DoesNotContain(b, tagsOfA);
    }
}
