using Athomic.Scheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Builds real hosts (DI, options validation, hosted worker and broker) for tests.</summary>
public static class Hosts
{
    /// <summary>A host on the Redis store with the Redis Streams broker.</summary>
    public static IHost RedisStreams(IConnectionMultiplexer connection, string prefix, Execution.IScheduledHandlerRegistry registry, Action<SchedulerOptions>? configure = null) =>
        Redis(connection, prefix, registry, configure, streams: true);

    public static IHost Redis(IConnectionMultiplexer connection, string prefix, Execution.IScheduledHandlerRegistry registry, Action<SchedulerOptions>? configure = null, bool streams = false, Action<HostApplicationBuilder>? customize = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("ATHOMIC_TEST_LOG") == "1")
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Debug);
        }
        var scheduler = builder.Services.AddAthomicScheduler(o =>
            {
                o.KeyPrefix = prefix;
                o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(50);
                o.Worker.MaxPollDelay = TimeSpan.FromMilliseconds(500);
                o.Execution.RetryBaseDelay = TimeSpan.FromMilliseconds(10);
                o.Execution.RetryMaxDelay = TimeSpan.FromMilliseconds(50);
                configure?.Invoke(o);
            })
            .UseRedis(_ => connection)
            .AddHandlers(registry);
        if (streams)
        {
            scheduler.UseRedisStreamsBroker();
        }

        customize?.Invoke(builder);
        return builder.Build();
    }
}
