using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Streams;
using System.Runtime.CompilerServices;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
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
    /// process needs nothing but the connection. Needs <c>UseRedis(...)</c> (Redis 6.2 or later; not Garnet).
    /// </summary>
    /// <remarks>
    /// With <see cref="SchedulerOptions.Partitions"/> greater than 1, each partition has its own stream, consumer
    /// group and queued hash under the partition's hash tag (so every script stays on one slot of a Redis Cluster),
    /// promotion visits the partitions fairly and skips idle ones like the partitioned claim does, and each process
    /// reads every partition's stream with a read loop and a reader connection of its own (streams in different
    /// slots cannot be read by one <c>XREADGROUP</c> on a cluster, and a blocking read holds its socket). While idle,
    /// on a single Redis server one read (on one more connection) waits for every partition's stream, blocking 15 s;
    /// on a cluster each partition blocks up to 15 s on its own.
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="readerConnection">
    /// The connection for the reads, used for nothing else; called once per partition, and with several partitions
    /// once more for the read that waits for all idle partitions: return a separate connection for each call, or the
    /// blocking reads of partitions on one server queue behind each other.
    /// <see langword="null"/> opens one per partition from a copy of the <see cref="ConfigurationOptions"/> of the
    /// <c>UseRedis</c> connection (with its certificate, socket and tunnel callbacks) and closes them when the host
    /// stops. When that connection is an <see cref="IConnectionMultiplexer"/> other than
    /// <see cref="ConnectionMultiplexer"/> (a wrapper), its options cannot be read: the readers are then opened from its
    /// configuration string (endpoints, credentials, TLS switches, timeouts, but no callbacks) and a warning is
    /// logged; pass this factory to control them.
    /// </param>
    /// <returns>The builder.</returns>
    public static SchedulerBuilder UseRedisStreamsBroker(this SchedulerBuilder builder, Func<IServiceProvider, IConnectionMultiplexer>? readerConnection = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(SchedulerBuilder.CustomTaskBroker)))
        {
            throw new InvalidOperationException(
                "UseRedisStreamsBroker() cannot be combined with UseTaskBroker(...): the streams broker takes due tasks without a lease, so the task broker would never be called.");
        }

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulerOptions>>();
            var main = (sp.GetService<SchedulerBuilder.RedisConnectionSource>() ?? throw new InvalidOperationException(
                "UseRedisStreamsBroker() needs a Redis store: call UseRedis(...) on the builder as well.")).Connection(sp);
            var consumer = options.Value.Streams.ConsumerName ?? NewConsumerName();
            var partitions = Math.Max(1, options.Value.Partitions);
            var queues = Enumerable.Range(0, partitions)
                .Select(p => new RedisStreamQueue(main, TaskPartitioner.PartitionPrefix(options.Value.KeyPrefix, p), consumer, p) { Retention = options.Value.DeadLetters.Retention })
                .ToArray();

            // Share the partitioned store's view of which partitions may have something due: its wake-up
            // subscriptions and writes then steer the promotion too.
            var store = sp.GetService<SchedulerBuilder.StoreSet>()?.Partitioned is { } s && s.PartitionCount == partitions ? s : null;
            var logger = sp.GetRequiredService<ILogger<RedisStreamsBroker>>();
            Func<int, Task<(IConnectionMultiplexer, bool)>> openReader = readerConnection is null
                ? async p => (await OpenReaderAsync(main, consumer, p, logger).ConfigureAwait(false), true)
                : _ => Task.FromResult((readerConnection(sp), false));
            return new RedisStreamsBroker(
                queues,
                store?.Sweep,
                store?.RecurringSweep,
                openReader,
                sp.GetRequiredService<TaskExecutor>(),
                options,
                sp.GetRequiredService<TimeProvider>(),
                logger,
                sp.GetRequiredService<Flow.FlowControl>().Gate,
                () => RedisTimeouts.Of(main));
        });
        // Due tasks leave the schedule by promotion into the streams, and this broker is the one started and stopped.
        services.RemoveAll<IDueTaskPort>();
        services.AddSingleton<IDueTaskPort>(sp => sp.GetRequiredService<RedisStreamsBroker>());
        services.RemoveAll<BrokerLifetime>();
        services.AddSingleton(sp => new BrokerLifetime(sp.GetRequiredService<RedisStreamsBroker>()));
        return builder;
    }

    /// <summary>Machine, process and a random suffix: unique per process start, readable in <c>XINFO CONSUMERS</c>.</summary>
    private static string NewConsumerName() => $"{Storage.LeaseOwnerName.Current}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// A connection of its own for <c>XREADGROUP … BLOCK</c>: StackExchange.Redis multiplexes every command over one
    /// socket, so a blocking command must not share it. Its timeouts exceed the block time; it opens no Pub/Sub socket.
    /// </summary>
    private static async Task<IConnectionMultiplexer> OpenReaderAsync(IConnectionMultiplexer main, string consumer, int partition, ILogger logger)
    {
        var config = ReaderConfiguration(main, consumer, partition, out var fromOptions);
        if (!fromOptions && partition == 0)
        {
            Log.StreamReaderFromConfigurationString(logger, main.GetType().Name);
        }

        return await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
    }

    /// <summary>
    /// The reader's configuration: a clone of <paramref name="main"/>'s own <see cref="ConfigurationOptions"/> (so the
    /// application's TLS, socket, tunnel and logging callbacks and credentials carry over; the application's instance
    /// is not changed), or, when they cannot be read, its configuration string parsed again.
    /// </summary>
    /// <param name="main">The store's connection.</param>
    /// <param name="consumer">This process's consumer name (for the reader's client name).</param>
    /// <param name="partition">The partition the reader serves.</param>
    /// <param name="fromOptions"><see langword="false"/> when the configuration string had to be used.</param>
    /// <returns>A configuration for a new connection.</returns>
    internal static ConfigurationOptions ReaderConfiguration(IConnectionMultiplexer main, string consumer, int partition, out bool fromOptions)
    {
        var options = OptionsOf(main);
        fromOptions = options is not null;
        var config = options?.Clone() ?? ConfigurationOptions.Parse(main.Configuration);
        config.AbortOnConnectFail = false;
        config.ClientName = "athomic-reader-" + consumer + (partition == 0 ? "" : "-" + partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var timeout = (int)StreamIdleWatch.IdleBlock.TotalMilliseconds + 5000;
        config.AsyncTimeout = Math.Max(config.AsyncTimeout, timeout);
        config.SyncTimeout = Math.Max(config.SyncTimeout, timeout);
        config.CommandMap = CommandMap.Create(new HashSet<string> { "SUBSCRIBE" }, available: false);
        return config;
    }

    /// <summary>
    /// The options a <see cref="ConnectionMultiplexer"/> was created with. StackExchange.Redis keeps them internal
    /// (<c>RawConfig</c>; its <see cref="IConnectionMultiplexer.Configuration"/> string drops every callback), so they are
    /// read through an <see cref="UnsafeAccessorAttribute"/> (no reflection, safe under trimming and Native AOT).
    /// <see langword="null"/> for other implementations, or a StackExchange.Redis version without that member.
    /// </summary>
    private static ConfigurationOptions? OptionsOf(IConnectionMultiplexer connection)
    {
        if (connection is not ConnectionMultiplexer multiplexer)
        {
            return null;
        }

        try
        {
            return RawConfig(multiplexer);
        }
        catch (MissingMemberException)
        {
            return null;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "get_RawConfig")]
    private static extern ConfigurationOptions RawConfig(ConnectionMultiplexer multiplexer);
}
