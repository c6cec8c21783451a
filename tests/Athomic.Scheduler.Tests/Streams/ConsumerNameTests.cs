using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Tests.Claims;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// <c>Streams:ConsumerName</c> names one running process: every ownership check of the stream compares consumer names,
/// so two processes with one name would each take the other's entries for their own (keep them alive, end them).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ConsumerNameTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task A_second_process_with_the_same_consumer_name_does_not_start()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var connection = await ClaimHosts.ConnectAsync(redis);
        using var first = Hosts.RedisStreams(connection, prefix, registry, Named("twin"));
        using var second = Hosts.RedisStreams(connection, prefix, registry, Named("twin"));
        await first.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());

        Assert.Contains("Athomic:Scheduler:Streams:ConsumerName 'twin' is in use by another running process", error.Message, StringComparison.Ordinal);
        await first.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "still-runs"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout); // the first process goes on
        await first.StopAsync();
    }

    [Fact]
    public async Task A_stopped_process_frees_its_name_and_a_dead_ones_name_is_taken_once_its_lease_ran_out()
    {
        var prefix = RedisFixture.NewPrefix();
        var registry = new RecordingRegistry();
        using var connection = await ClaimHosts.ConnectAsync(redis);
        var name = NameKey(prefix, "solo");
        using (var stopped = Hosts.RedisStreams(connection, prefix, registry, Named("solo")))
        {
            await stopped.StartAsync();
            Assert.True(await Db.KeyExistsAsync(name));
            await stopped.StopAsync();
        }

        Assert.False(await Db.KeyExistsAsync(name)); // the next process with this name starts at once

        // A process that died holding the name: nobody renews it, so it runs out within the visibility timeout.
        await Db.StringSetAsync(name, "dead-process", TimeSpan.FromMilliseconds(300));
        using var next = Hosts.RedisStreams(connection, prefix, registry, Named("solo"));
        await next.StartAsync();
        var holder = (string?)await Db.StringGetAsync(name);
        await next.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "runs"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout);
        await next.StopAsync();

        Assert.NotNull(holder);
        Assert.NotEqual("dead-process", holder);
    }

    [Fact]
    public async Task A_process_whose_name_another_process_took_says_so()
    {
        var prefix = RedisFixture.NewPrefix();
        var logs = new LogCapture();
        using var connection = await ClaimHosts.ConnectAsync(redis);
        using var host = Hosts.Redis(connection, prefix, new RecordingRegistry(), Named("stalled"), streams: true, customize: b => b.Logging.AddProvider(logs));
        await host.StartAsync();

        // This process stalled past its lease, and another one with its name started meanwhile.
        await Db.StringSetAsync(NameKey(prefix, "stalled"), "intruder", TimeSpan.FromMinutes(1));
        var said = await logs.WhenLogged(e => e.Message.Contains("'stalled'", StringComparison.Ordinal) && e.Message.Contains("intruder", StringComparison.Ordinal), Timeout);
        await host.StopAsync();

        Assert.Equal(LogLevel.Error, said.Level);
        Assert.Equal("intruder", (string?)await Db.StringGetAsync(NameKey(prefix, "stalled"))); // stopping leaves another's name alone
    }

    private static Action<SchedulerOptions> Named(string consumer) => o =>
    {
        o.Streams.ConsumerName = consumer;
        o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1);
    };

    private static RedisKey NameKey(string prefix, string consumer) => "{" + prefix + "}:consumer:" + consumer;
}
