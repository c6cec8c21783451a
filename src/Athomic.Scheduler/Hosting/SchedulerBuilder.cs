using Athomic.Scheduler.Execution;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Hosting;

/// <summary>Chooses the store and adds handler registries; returned by <c>AddAthomicScheduler</c>.</summary>
public sealed class SchedulerBuilder
{
    internal SchedulerBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses Redis at <paramref name="connectionString"/> (or <see cref="SchedulerOptions.RedisConnectionString"/> when <see langword="null"/>).</summary>
    /// <param name="connectionString">A StackExchange.Redis connection string.</param>
    /// <returns>This builder.</returns>
    public SchedulerBuilder UseRedis(string? connectionString = null)
    {
        Services.TryAddSingleton(sp =>
        {
            var cs = connectionString ?? sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.RedisConnectionString;
            if (string.IsNullOrWhiteSpace(cs))
            {
                throw new OptionsValidationException(
                    nameof(SchedulerOptions),
                    typeof(SchedulerOptions),
                    ["Athomic:Scheduler:RedisConnectionString is required when UseRedis() is called without a connection string."]);
            }

            var config = ConfigurationOptions.Parse(cs);
            config.AbortOnConnectFail = false;
            return new OwnedConnection(ConnectionMultiplexer.Connect(config));
        });
        return UseRedis(sp => sp.GetRequiredService<OwnedConnection>().Connection);
    }

    /// <summary>Uses Redis through a connection the application owns.</summary>
    /// <param name="connection">Resolves the connection.</param>
    /// <returns>This builder.</returns>
    public SchedulerBuilder UseRedis(Func<IServiceProvider, IConnectionMultiplexer> connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Services.RemoveAll<RedisConnectionSource>();
        Services.AddSingleton(new RedisConnectionSource(connection));
        UseStores(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            var redis = connection(sp);
            if (options.Partitions <= 1)
            {
                var single = new RedisScheduleStore(redis, options.KeyPrefix) { Retention = options.DeadLetters.Retention };
                return new StoreSet(single, single, null, [single]);
            }

            var partitions = Enumerable.Range(0, options.Partitions)
                .Select(p => new RedisScheduleStore(redis, TaskPartitioner.PartitionPrefix(options.KeyPrefix, p)) { Retention = options.DeadLetters.Retention })
                .ToArray();
            var partitioned = new PartitionedScheduleStore(
                partitions,
                sp.GetRequiredService<TimeProvider>(),
                options.Worker.MaxPollDelay,
                sp.GetService<ILoggerFactory>()?.CreateLogger<PartitionedScheduleStore>(),
                recurring: partitions);
            return new StoreSet(partitioned, partitioned, partitioned, partitions);
        });
        return this;
    }

    /// <summary>Uses the in-memory store, driven by the registered <see cref="TimeProvider"/> (tests and demos; nothing persists).</summary>
    /// <returns>This builder.</returns>
    public SchedulerBuilder UseInMemoryStore()
    {
        Services.RemoveAll<RedisConnectionSource>();
        UseStores(sp =>
        {
            var store = new InMemoryScheduleStore(sp.GetRequiredService<TimeProvider>())
            {
                Retention = sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.DeadLetters.Retention,
            };
            return new StoreSet(store, store, null, [store]);
        });
        return this;
    }

    /// <summary>Adds the handlers of a registry (generated code calls this for you).</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    public SchedulerBuilder AddHandlers(IScheduledHandlerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IScheduledHandlerRegistry), registry));
        return this;
    }

    /// <summary>Registers the stores the builder made, each under the contract it serves (chosen here, never probed later).</summary>
    private void UseStores(Func<IServiceProvider, StoreSet> create)
    {
        Services.RemoveAll<StoreSet>();
        Services.RemoveAll<IScheduleStore>();
        Services.RemoveAll<IRecurringStore>();
        Services.AddSingleton(create);
        Services.AddSingleton(sp => sp.GetRequiredService<StoreSet>().Store);
        Services.AddSingleton(sp => sp.GetRequiredService<StoreSet>().Recurring);
    }

    /// <summary>
    /// The store the builder made, its recurring side, with partitions the partitioned store (whose sweeps the streams
    /// broker shares), and the store of each partition in order, which the gauges and health checks read.
    /// </summary>
    internal sealed record StoreSet(IScheduleStore Store, IRecurringStore Recurring, PartitionedScheduleStore? Partitioned, IReadOnlyList<IStatisticsSource> Statistics);

    /// <summary>How the Redis store gets its connection; the streams broker uses the same one.</summary>
    internal sealed class RedisConnectionSource(Func<IServiceProvider, IConnectionMultiplexer> connection)
    {
        public Func<IServiceProvider, IConnectionMultiplexer> Connection { get; } = connection;
    }

    /// <summary>Owns a multiplexer created from a connection string, so it is disposed with the container.</summary>
    internal sealed class OwnedConnection(IConnectionMultiplexer connection) : IDisposable
    {
        public IConnectionMultiplexer Connection { get; } = connection;

        public void Dispose() => Connection.Dispose();
    }
}
