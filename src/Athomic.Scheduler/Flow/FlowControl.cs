using Athomic.Scheduler.Execution;
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
    /// <exception cref="InvalidOperationException">A handler declares a limit, and the store cannot enforce it.</exception>
    public static FlowControl Create(IServiceProvider services, ScheduleStores stores)
    {
        var options = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        var catalog = services.GetRequiredService<HandlerCatalog>();
        if (stores.Flow is not { } flow || stores.Schedule is not IFlowParking parking || (stores.Schedule is PartitionedScheduleStore partitioned && !partitioned.CanPark))
        {
            var limited = catalog.All.Where(h => h.Flow is { IsGated: true }).Select(h => h.Name).Order(StringComparer.Ordinal).ToArray();
            if (limited.Length > 0 && options.Worker.Enabled)
            {
                throw new InvalidOperationException(
                    $"The handlers {string.Join(", ", limited)} declare concurrency or rate limits, which the configured store cannot enforce: " +
                    "flow control needs the Redis store (UseRedis, or Garnet). Remove the limits, or disable the worker in this host (Worker:Enabled = false).");
            }

            return new FlowControl((FlowGate?)null);
        }

        var gate = new FlowGate(
            flow,
            parking,
            catalog,
            options.Partitions,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger<FlowGate>());
        services.GetRequiredService<LeaseKeeper>().Flow = gate;
        return new FlowControl(gate);
    }
}
