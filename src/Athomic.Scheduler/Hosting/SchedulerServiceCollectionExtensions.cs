using Athomic.Scheduler.Client;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// In the DI namespace, like the framework's own AddXxx methods: no extra using needed at the call site.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the scheduler in a service collection.</summary>
public static class SchedulerServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IScheduler"/>, <see cref="IDeadLetterQueue"/>, <see cref="ISchedulerOperations"/>, the in-process broker and <see cref="SchedulerWorkerService"/>; choose a store on
    /// the returned builder (<c>UseRedis</c> or <c>UseInMemoryStore</c>). Options are validated when the host starts.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures the options.</param>
    /// <returns>The builder.</returns>
    public static SchedulerBuilder AddAthomicScheduler(this IServiceCollection services, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SchedulerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services, options);
    }

    /// <summary>Adds the scheduler with options bound from <paramref name="configuration"/> (for example the section <c>Athomic:Scheduler</c>).</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section.</param>
    /// <param name="configure">Configures the options after binding.</param>
    /// <returns>The builder.</returns>
    public static SchedulerBuilder AddAthomicScheduler(this IServiceCollection services, IConfiguration configuration, Action<SchedulerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var options = services.AddOptions<SchedulerOptions>().Bind(configuration);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services, options);
    }

    private static SchedulerBuilder AddCore(IServiceCollection services, OptionsBuilder<SchedulerOptions> options)
    {
        options.ValidateOnStart();
        if (services.Any(d => d.ServiceType == typeof(Registered)))
        {
            // Called again (for example by a library and by the app): configure more, but run one worker and broker.
            return new SchedulerBuilder(services);
        }

        services.AddSingleton<Registered>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IScheduler>(sp => new StoreScheduler(
            sp.GetService<IScheduleStore>() ?? throw NoStore(),
            sp.GetService<IRecurringStore>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IDeadLetterQueue>(sp => new DeadLetterQueue(sp.GetService<IDeadLetterStore>() ?? throw NoStore()));
        services.TryAddSingleton<ISchedulerOperations>(sp =>
        {
            var set = sp.GetService<SchedulerBuilder.StoreSet>() ?? throw NoStore();
            var stores = set.Stores;
            return new SchedulerOperations(
                stores.Operations,
                stores.Statistics,
                sp.GetRequiredService<IScheduler>(),
                sp.GetRequiredService<IDeadLetterQueue>(),
                stores.DeadLetters,
                sp.GetRequiredService<TimeProvider>(),
                set.Partitioned,
                stores.Flow);
        });
        services.TryAddSingleton(sp => new HandlerCatalog(sp.GetServices<IScheduledHandlerRegistry>()));
        services.TryAddSingleton(sp => new WorkerHeartbeat(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ScheduleStatistics(
            sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.KeyPrefix,
            sp.GetService<SchedulerBuilder.StoreSet>()?.Stores.Statistics ?? throw NoStore(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new TaskExecutor(
            sp.GetRequiredService<HandlerCatalog>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TaskExecutor>>()));
        services.TryAddSingleton(sp => new LeaseKeeper(
            sp.GetService<IScheduleStore>() ?? throw NoStore(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LeaseKeeper>>(),
            () => sp.GetService<SchedulerBuilder.RedisConnectionSource>() is { } redis ? RedisTimeouts.Of(redis.Connection(sp)) : null));
        services.TryAddSingleton(sp => new InProcessTaskBroker(
            sp.GetRequiredService<TaskExecutor>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>()));
        services.TryAddSingleton<ITaskBroker>(sp => sp.GetRequiredService<InProcessTaskBroker>());

        // Where due tasks leave the schedule, chosen here once: the lease path to the ITaskBroker, unless
        // UseRedisStreamsBroker() replaces both this port and the broker's lifetime.
        services.TryAddSingleton(sp => FlowControl.Create(sp, sp.GetService<SchedulerBuilder.StoreSet>()?.Stores ?? throw NoStore()));
        services.TryAddSingleton<IDueTaskPort>(sp => new LeaseClaimPort(
            sp.GetService<IScheduleStore>() ?? throw NoStore(),
            sp.GetRequiredService<ITaskBroker>(),
            sp.GetRequiredService<LeaseKeeper>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<LeaseClaimPort>>(),
            sp.GetRequiredService<FlowControl>().Gate));
        services.TryAddSingleton(sp => new BrokerLifetime(sp.GetRequiredService<InProcessTaskBroker>()));

        // Hosted services start in order and stop in reverse: the broker stops after the worker has stopped claiming.
        // The lease keeper renews until every service has stopped (its StoppedAsync, even when the host stops them
        // concurrently): running handlers keep their leases while the broker drains.
        services.AddHostedService(sp => new ScheduleGaugeRegistration(sp.GetRequiredService<ScheduleStatistics>(), sp.GetRequiredService<IOptions<SchedulerOptions>>()));
        services.AddHostedService(sp => sp.GetRequiredService<LeaseKeeper>());
        services.AddHostedService(sp => sp.GetRequiredService<BrokerLifetime>());
        services.AddHostedService(sp => new StaticScheduleRegistrar(
            sp.GetRequiredService<IScheduler>(),
            sp.GetRequiredService<HandlerCatalog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<StaticScheduleRegistrar>>()));
        services.AddHostedService(sp => new SchedulerWorkerService(
            sp.GetService<IScheduleStore>() ?? throw NoStore(),
            sp.GetService<IRecurringStore>(),
            sp.GetRequiredService<IDueTaskPort>(),
            sp.GetRequiredService<HandlerCatalog>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<SchedulerWorkerService>>(),
            sp.GetRequiredService<WorkerHeartbeat>(),
            sp.GetRequiredService<FlowControl>().Gate));
        return new SchedulerBuilder(services);
    }

    /// <summary>Marks a service collection the scheduler was added to.</summary>
    private sealed class Registered;

    private static InvalidOperationException NoStore() =>
        new("No schedule store is configured: call UseRedis(...) or UseInMemoryStore() on the builder returned by AddAthomicScheduler().");
}
