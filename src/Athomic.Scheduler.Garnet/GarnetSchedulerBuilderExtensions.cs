using Athomic.Scheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Athomic.Scheduler.Garnet;

/// <summary>Runs the scheduler's store on an <see cref="EmbeddedGarnetServer"/>.</summary>
public static class GarnetSchedulerBuilderExtensions
{
    /// <summary>
    /// Starts an embedded Garnet server (when first needed) and uses it as the schedule store, with the in-process
    /// broker. With a <paramref name="dataDirectory"/>, scheduled tasks survive a restart of the application.
    /// </summary>
    /// <param name="builder">The scheduler builder.</param>
    /// <param name="dataDirectory">Where to persist the schedule; <see langword="null"/> keeps it in memory.</param>
    /// <returns>The builder.</returns>
    public static SchedulerBuilder UseEmbeddedGarnet(this SchedulerBuilder builder, string? dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(_ => EmbeddedGarnetServer.Start(dataDirectory));
        builder.Services.TryAddSingleton(sp => new GarnetConnection(
            ConnectionMultiplexer.Connect(sp.GetRequiredService<EmbeddedGarnetServer>().ConnectionString)));
        return builder.UseRedis(sp => sp.GetRequiredService<GarnetConnection>().Connection);
    }

    /// <summary>The connection to the embedded server, disposed with the container (before the server).</summary>
    private sealed class GarnetConnection(IConnectionMultiplexer connection) : IDisposable
    {
        public IConnectionMultiplexer Connection { get; } = connection;

        public void Dispose() => Connection.Dispose();
    }
}
