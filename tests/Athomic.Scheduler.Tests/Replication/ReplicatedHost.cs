using Athomic.Scheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>A host on a replicated Redis, through its connection string (as an application configures it), running <see cref="RunLog"/>'s handler.</summary>
internal static class ReplicatedHost
{
    public static IHost Build(string connectionString, string prefix, RunLog runs, bool streams, bool workerEnabled, Action<SchedulerOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var scheduler = builder.Services.AddAthomicScheduler(o =>
            {
                o.KeyPrefix = prefix;
                o.Durability.WaitForReplicas = 1;
                o.Worker.Enabled = workerEnabled;
                o.Worker.LeaseDuration = TimeSpan.FromSeconds(5);
                o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(5);
                configure?.Invoke(o);
            })
            .UseRedis(connectionString)
            .AddHandlers(runs);
        if (streams)
        {
            scheduler.UseRedisStreamsBroker();
        }

        return builder.Build();
    }
}
