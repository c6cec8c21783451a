using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Hosting;

/// <summary>Selects the Redis Streams broker.</summary>
public static class RedisStreamsBrokerExtensions
{
    /// <summary>
    /// Executes tasks through a Redis stream with a consumer group shared by every worker process, instead of the
    /// in-process broker: due tasks move from the schedule into the stream in one atomic step, idle entries of dead
    /// processes are reclaimed after <see cref="SchedulerStreamsOptions.VisibilityTimeout"/>, and adding a worker
    /// process needs nothing but the connection. Needs <c>UseRedis(...)</c> (Redis 6.2 or later; not Garnet) and
    /// <see cref="SchedulerOptions.Partitions"/> = 1.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="readerConnection">
    /// The connection for the blocking reads, used for nothing else. <see langword="null"/> opens one from the
    /// configuration of the <c>UseRedis</c> connection and closes it when the host stops.
    /// </param>
    /// <returns>The builder.</returns>
    public static SchedulerBuilder UseRedisStreamsBroker(this SchedulerBuilder builder, Func<IServiceProvider, IConnectionMultiplexer>? readerConnection = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulerOptions>>();
            if (options.Value.Partitions != 1)
            {
                throw new OptionsValidationException(
                    nameof(SchedulerOptions),
                    typeof(SchedulerOptions),
                    ["Athomic:Scheduler:Partitions must be 1 with UseRedisStreamsBroker(): the streams broker keeps one stream per schedule. Use the in-process broker with partitions."]);
            }

            var main = (sp.GetService<SchedulerBuilder.RedisConnectionSource>() ?? throw new InvalidOperationException(
                "UseRedisStreamsBroker() needs a Redis store: call UseRedis(...) on the builder as well.")).Connection(sp);
            var consumer = options.Value.Streams.ConsumerName ?? NewConsumerName();
            Func<Task<(IConnectionMultiplexer, bool)>> openReader = readerConnection is null
                ? async () => (await OpenReaderAsync(main, consumer).ConfigureAwait(false), true)
                : () => Task.FromResult((readerConnection(sp), false));
            return new RedisStreamsBroker(
                new RedisStreamQueue(main, options.Value.KeyPrefix, consumer),
                openReader,
                sp.GetRequiredService<TaskExecutor>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<RedisStreamsBroker>>());
        });
        services.RemoveAll<ITaskBroker>();
        services.AddSingleton<ITaskBroker>(sp => sp.GetRequiredService<RedisStreamsBroker>());
        return builder;
    }

    /// <summary>Machine, process and a random suffix: unique per process start, readable in <c>XINFO CONSUMERS</c>.</summary>
    private static string NewConsumerName()
    {
        var machine = new string(Environment.MachineName.Where(c => TaskIds.IsValid(c.ToString())).ToArray());
        return $"{(machine.Length == 0 ? "host" : machine)}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    /// <summary>
    /// A connection of its own for <c>XREADGROUP … BLOCK</c>: StackExchange.Redis multiplexes every command over one
    /// socket, so a blocking command must not share it. Its timeouts exceed the block time; it opens no Pub/Sub socket.
    /// </summary>
    private static async Task<IConnectionMultiplexer> OpenReaderAsync(IConnectionMultiplexer main, string consumer)
    {
        var config = ConfigurationOptions.Parse(main.Configuration);
        config.AbortOnConnectFail = false;
        config.ClientName = "athomic-reader-" + consumer;
        var timeout = (int)RedisStreamsBroker.ReadBlock.TotalMilliseconds + 5000;
        config.AsyncTimeout = Math.Max(config.AsyncTimeout, timeout);
        config.SyncTimeout = Math.Max(config.SyncTimeout, timeout);
        config.CommandMap = CommandMap.Create(new HashSet<string> { "SUBSCRIBE" }, available: false);
        return await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
    }
}
