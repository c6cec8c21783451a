using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>
/// <c>Durability:WaitForReplicas</c> on a real master and replica: a write that returned is on the replica; a write
/// the replica cannot confirm (the replica is frozen with SIGSTOP) throws <see cref="SchedulerReplicationException"/>
/// instead of returning as if it were safe; coalesced calls share one <c>WAIT</c>.
/// </summary>
[Collection(ReplicationCollection.Name)]
public sealed class WriteConcernTests : IAsyncLifetime
{
    private RedisServer _master = null!;
    private RedisServer _replica = null!;
    private ConnectionMultiplexer _connection = null!;
    private ConnectionMultiplexer _replicaConnection = null!;

    public async Task InitializeAsync()
    {
        _master = await RedisServer.StartAsync();
        _replica = await RedisServer.StartReplicaAsync(_master);
        _connection = await _master.ConnectAsync(admin: true);
        _replicaConnection = await _replica.ConnectAsync(admin: true);
    }

    public async Task DisposeAsync()
    {
        try
        {
            _replica.Thaw();
        }
        catch (InvalidOperationException)
        {
            // Not frozen, or gone.
        }

        await _replicaConnection.DisposeAsync();
        await _connection.DisposeAsync();
        await _replica.DisposeAsync();
        await _master.DisposeAsync();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Every_acknowledged_write_is_on_the_replica_when_it_returns(int partitions)
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = SchedulingHost(prefix, o => o.Partitions = partitions);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var replica = _replicaConnection.GetDatabase();

        // A single schedule, then a batch over every partition, then a cancel: each is on the replica as it returns
        // (read from the replica at once, with no wait of the test's own).
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), "one");
        Assert.True(await OnReplicaAsync(prefix, partitions, "one"));

        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 2500).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, $"m{i}"), TimeSpan.FromHours(1)))]);
        foreach (var id in new[] { "m0", "m1", "m1234", "m2499" })
        {
            Assert.True(await OnReplicaAsync(prefix, partitions, id), id);
        }

        Assert.True(await scheduler.CancelAsync("m1"));
        Assert.False(await OnReplicaAsync(prefix, partitions, "m1"));

        Assert.Equal(RecurringUpsertStatus.Created, await scheduler.AddOrUpdateRecurringAsync("every-hour", new GenericTask(RecordingRegistry.Record, default), RecurringSchedule.Every(TimeSpan.FromHours(1))));
        Assert.True(await AnyPartitionAsync(prefix, partitions, (p, db) => db.HashExistsAsync($"{{{p}}}:recurring", "every-hour"), replica));
        Assert.True(await scheduler.RemoveRecurringAsync("every-hour"));
        Assert.False(await AnyPartitionAsync(prefix, partitions, (p, db) => db.HashExistsAsync($"{{{p}}}:recurring", "every-hour"), replica));
    }

    [Fact]
    public async Task A_write_that_no_replica_confirms_throws_instead_of_returning_as_safe()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = SchedulingHost(prefix, o => o.Durability.ReplicaTimeout = TimeSpan.FromMilliseconds(300));
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), "before");

        _replica.Freeze();
        var single = await Assert.ThrowsAsync<SchedulerReplicationException>(
            () => scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), "unconfirmed"));
        Assert.Equal(1, single.RequiredReplicas);
        Assert.Equal(0, single.ConfirmedReplicas);
        Assert.Contains("only 0 of 1 replicas", single.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<SchedulerReplicationException>(
            () => scheduler.ScheduleManyAsync([ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, "many"), TimeSpan.FromHours(1))]));
        await Assert.ThrowsAsync<SchedulerReplicationException>(() => scheduler.CancelAsync("before"));
        _replica.Thaw();

        // The writes were applied on the master; repeating them once the replica is back is safe and confirmed.
        Assert.NotNull(await scheduler.GetAsync("unconfirmed"));
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), "unconfirmed");
        Assert.True(await OnReplicaAsync(prefix, 1, "unconfirmed"));
        Assert.False(await scheduler.CancelAsync("before"));
    }

    [Fact]
    public async Task A_dead_letter_requeue_waits_for_the_replica()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var host = Hosts.Redis(_connection, prefix, registry, o => o.Durability.WaitForReplicas = 1);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var deadLetters = host.Services.GetRequiredService<IDeadLetterQueue>();
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Fail, default), TimeSpan.Zero, "doomed");
        await Eventually.TrueAsync(async () => (await deadLetters.GetAsync("doomed")) is not null, TimeSpan.FromSeconds(30), "the failing task is dead-lettered");
        await host.StopAsync();

        _replica.Freeze();
        var requeue = deadLetters.RequeueAsync("doomed", TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<SchedulerReplicationException>(() => requeue);
        _replica.Thaw();
        Assert.True(await OnReplicaAsync(prefix, 1, "doomed") || (await scheduler.GetAsync("doomed")) is not null);
    }

    [Fact]
    public async Task Coalesced_and_batched_writes_send_one_WAIT_per_call_not_per_task()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = SchedulingHost(prefix);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var none = new HashSet<string>(StringComparer.Ordinal);

        var before = await CommandStats.ClientCommandsAsync(server, none);
        await scheduler.ScheduleManyAsync([.. Enumerable.Range(0, 3000).Select(i => ScheduleRequest.After(new GenericTask(RecordingRegistry.Record, default, $"b{i}"), TimeSpan.FromHours(1)))]);
        var afterMany = await CommandStats.ClientCommandsAsync(server, none);
        Assert.Equal(1, afterMany.GetValueOrDefault("wait") - before.GetValueOrDefault("wait"));

        // 64 concurrent single schedules: at most one WAIT per script call that carried them.
        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), $"c{i}")));
        var afterSingles = await CommandStats.ClientCommandsAsync(server, none);
        var waits = afterSingles.GetValueOrDefault("wait") - afterMany.GetValueOrDefault("wait");
        var scripts = afterSingles.GetValueOrDefault("evalsha") + afterSingles.GetValueOrDefault("eval") - afterMany.GetValueOrDefault("evalsha") - afterMany.GetValueOrDefault("eval");
        Assert.InRange(waits, 1, 64);
        Assert.Equal(scripts, waits);
    }

    [Fact]
    public async Task Without_a_write_concern_no_WAIT_is_sent()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = SchedulingHost(prefix, o => o.Durability.WaitForReplicas = 0);
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var none = new HashSet<string>(StringComparer.Ordinal);
        var before = await CommandStats.ClientCommandsAsync(server, none);
        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default), TimeSpan.FromHours(1), "plain");
        Assert.True(await scheduler.CancelAsync("plain"));
        var after = await CommandStats.ClientCommandsAsync(server, none);
        Assert.Equal(before.GetValueOrDefault("wait"), after.GetValueOrDefault("wait"));
    }

    [Fact]
    public void A_replica_timeout_longer_than_a_third_of_the_lease_or_a_store_without_replicas_fails_the_start()
    {
        using var slow = SchedulingHost(RedisFixture.NewPrefix(), o => o.Durability.ReplicaTimeout = TimeSpan.FromSeconds(11));
        var error = Assert.Throws<OptionsValidationException>(() => slow.Services.GetRequiredService<IScheduler>());
        Assert.Contains("Durability:ReplicaTimeout must be greater than 0 and at most a third of Worker:LeaseDuration", error.Message, StringComparison.Ordinal);

        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAthomicScheduler(o => o.Durability.WaitForReplicas = 1).UseInMemoryStore().AddHandlers(new RecordingRegistry());
        using var inMemory = builder.Build();
        var refused = Assert.Throws<OptionsValidationException>(() => inMemory.Services.GetRequiredService<IScheduler>());
        Assert.Contains("UseInMemoryStore() has no replicas to confirm writes", refused.Message, StringComparison.Ordinal);
    }

    private IHost SchedulingHost(string prefix, Action<SchedulerOptions>? configure = null) =>
        Hosts.Redis(_connection, prefix, new RecordingRegistry(), o =>
        {
            o.Worker.Enabled = false;
            o.Durability.WaitForReplicas = 1;
            configure?.Invoke(o);
        });

    private Task<bool> OnReplicaAsync(string prefix, int partitions, string id) =>
        AnyPartitionAsync(prefix, partitions, (p, db) => db.SortedSetScoreAsync($"{{{p}}}:pending", id).ContinueWith(t => t.Result is not null, TaskScheduler.Default), _replicaConnection.GetDatabase());

    private static async Task<bool> AnyPartitionAsync(string prefix, int partitions, Func<string, IDatabase, Task<bool>> test, IDatabase db)
    {
        for (var p = 0; p < partitions; p++)
        {
            if (await test(Storage.TaskPartitioner.PartitionPrefix(prefix, p), db))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Tests that start their own master, replicas or sentinels run one at a time: they freeze and kill servers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicationCollection
{
    public const string Name = "replication";
}
