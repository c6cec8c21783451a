using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Flow;

/// <summary>The host's flow control, composed once: the gate of the claim path, or none where the store has no flow state.</summary>
/// <param name="Gate">The gate, or <see langword="null"/>.</param>
internal sealed record FlowControl(FlowGate? Gate)
{
    /// <summary>Composes the gate for the host's stores and handlers.</summary>
    /// <remarks>Where the store cannot enforce limits (the in-memory store, a custom store), a warning names the limited handlers.</remarks>
    public static FlowControl Create(IServiceProvider services, ScheduleStores stores)
    {
        var options = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        var catalog = services.GetRequiredService<HandlerCatalog>();
        if (stores.Flow is not { } flow || stores.Schedule is not IFlowParking parking || (stores.Schedule is PartitionedScheduleStore partitioned && !partitioned.CanPark))
        {
            var limited = catalog.All.Where(h => h.Flow is { IsGated: true }).Select(h => h.Name).Order(StringComparer.Ordinal).ToArray();
            if (limited.Length > 0 && options.Worker.Enabled)
            {
                // The in-memory store (tests and demos) and custom stores run such handlers without their limits; say so once.
                Log.FlowNotEnforced(services.GetRequiredService<ILoggerFactory>().CreateLogger<FlowControl>(), string.Join(", ", limited));
            }

            return new FlowControl((FlowGate?)null);
        }

        var gate = new FlowGate(
            flow,
            parking,
            catalog,
            options.Partitions,
            options.Worker.MaxPollDelay,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<FlowGate>());
        services.GetRequiredService<LeaseKeeper>().Flow = gate;
        return new FlowControl(gate);
    }
}
