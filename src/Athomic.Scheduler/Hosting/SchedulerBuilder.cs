using System.ComponentModel;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
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
            var retention = options.DeadLetters.Retention;
            var writeConcern = new WriteConcern(options.Durability.WaitForReplicas, options.Durability.ReplicaTimeout);
            if (options.Partitions <= 1)
            {
                return new StoreSet(RedisStores.Create(redis, options.KeyPrefix, retention, writeConcern) with { Flow = new RedisFlowStore(redis, options.KeyPrefix) }, null);
            }

            var partitions = Enumerable.Range(0, options.Partitions)
                .Select(p => RedisStores.Create(redis, TaskPartitioner.PartitionPrefix(options.KeyPrefix, p), retention, writeConcern))
                .ToArray();
            var router = new PartitionRouter(
                partitions.Length,
                sp.GetRequiredService<TimeProvider>(),
                options.Worker.MaxPollDelay,
                sp.GetService<ILoggerFactory>()?.CreateLogger<PartitionedScheduleStore>());
            return new StoreSet(ScheduleStores.Partitioned(partitions, router) with { Flow = new RedisFlowStore(redis, options.KeyPrefix) }, router);
        });
        return this;
    }

    /// <summary>Uses the in-memory store, driven by the registered <see cref="TimeProvider"/> (tests and demos; nothing persists).</summary>
    /// <returns>This builder.</returns>
    public SchedulerBuilder UseInMemoryStore()
    {
        Services.RemoveAll<RedisConnectionSource>();
        UseStores(sp => new StoreSet(
            InMemoryStores.Create(sp.GetRequiredService<TimeProvider>(), WithoutReplicas(sp, "UseInMemoryStore()").DeadLetters.Retention),
            null));
        return this;
    }

    /// <summary>
    /// Uses a store written outside this library (see the <c>Athomic.Scheduler.Extensibility</c> namespace): one
    /// object that keeps the schedule, its recurring schedules and its dead letters.
    /// </summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="store">Creates the store once, when the container first needs it.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// The store must keep the contract documented on <see cref="IScheduleStore"/>, <see cref="IRecurringStore"/> and
    /// <see cref="IDeadLetterStore"/> (atomic operations, fencing tokens, held-back versions). The Redis Streams broker needs the Redis store and
    /// cannot be combined with a custom one.
    /// </remarks>
    public SchedulerBuilder UseStore<TStore>(Func<IServiceProvider, TStore> store)
        where TStore : class, IScheduleStore, IRecurringStore, IDeadLetterStore
    {
        ArgumentNullException.ThrowIfNull(store);
        Services.RemoveAll<RedisConnectionSource>();
        UseStores(sp =>
        {
            WithoutReplicas(sp, "UseStore(...)");
            var created = store(sp) ?? throw new InvalidOperationException("The factory passed to UseStore returned null.");
            return new StoreSet(new ScheduleStores(created, created, created), null);
        });
        return this;
    }

    /// <summary>
    /// Hands claimed tasks to a broker written outside this library instead of running them in this process (for
    /// example, one that forwards each task to another queue and completes the lease once that queue has it).
    /// </summary>
    /// <param name="broker">Creates the broker once, when the container first needs it.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// The broker ends every <see cref="TaskLease"/> it receives exactly once; until then the lease is renewed, and
    /// if this process dies first the task is claimed again elsewhere. A broker that needs starting and stopping
    /// registers its own hosted service. It cannot be combined with <c>UseRedisStreamsBroker()</c>, which takes due
    /// tasks from the schedule without a lease.
    /// </remarks>
    /// <exception cref="InvalidOperationException"><c>UseRedisStreamsBroker()</c> was called on this builder.</exception>
    public SchedulerBuilder UseTaskBroker(Func<IServiceProvider, ITaskBroker> broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        if (Services.Any(d => d.ServiceType == typeof(Streams.RedisStreamsBroker)))
        {
            throw new InvalidOperationException(
                "UseTaskBroker cannot be combined with UseRedisStreamsBroker(): the streams broker takes due tasks without a lease, so a task broker would never be called.");
        }

        Services.RemoveAll<ITaskBroker>();
        Services.AddSingleton(sp => broker(sp) ?? throw new InvalidOperationException("The factory passed to UseTaskBroker returned null."));
        Services.TryAddSingleton<CustomTaskBroker>();
        return this;
    }

    /// <summary>Adds the handlers of a registry (generated code calls this for you).</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>This builder.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public SchedulerBuilder AddHandlers(IScheduledHandlerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IScheduledHandlerRegistry), registry));
        return this;
    }

    /// <summary>Registers the stores the builder made, each under the contract it serves (chosen here, never probed later).</summary>
    /// <summary>The options, refused when they ask replicas to confirm writes of a store that has no replicas to ask.</summary>
    private static SchedulerOptions WithoutReplicas(IServiceProvider services, string store)
    {
        var options = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        if (options.Durability.WaitForReplicas > 0)
        {
            throw new OptionsValidationException(
                nameof(SchedulerOptions),
                typeof(SchedulerOptions),
                [$"Athomic:Scheduler:Durability:WaitForReplicas is {options.Durability.WaitForReplicas}, but {store} has no replicas to confirm writes: only the Redis store (UseRedis) supports it."]);
        }

        return options;
    }

    private void UseStores(Func<IServiceProvider, StoreSet> create)
    {
        Services.RemoveAll<StoreSet>();
        Services.RemoveAll<IScheduleStore>();
        Services.RemoveAll<IRecurringStore>();
        Services.RemoveAll<IDeadLetterStore>();
        Services.AddSingleton(create);
        Services.AddSingleton(sp => sp.GetRequiredService<StoreSet>().Stores.Schedule);
        Services.AddSingleton(sp => sp.GetRequiredService<StoreSet>().Stores.Recurring);
        Services.AddSingleton(sp => sp.GetRequiredService<StoreSet>().Stores.DeadLetters);
    }

    /// <summary>
    /// The stores the builder made (with the statistics the gauges and health checks read) and, with partitions,
    /// their router (whose sweeps the streams broker shares, so its wake-ups and writes steer the promotion too).
    /// </summary>
    internal sealed record StoreSet(ScheduleStores Stores, PartitionRouter? Partitioned);

    /// <summary>Marks a builder on which <see cref="UseTaskBroker"/> was called.</summary>
    internal sealed class CustomTaskBroker;

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
