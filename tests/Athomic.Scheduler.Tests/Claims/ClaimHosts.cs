using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Claims;

/// <summary>Hosts for the claim tests, on a connection whose timeout suits one-second leases.</summary>
internal static class ClaimHosts
{
    /// <summary>A connection to the fixture's server with 400 ms timeouts by default (a 1 s lease needs at most 500 ms).</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync(RedisFixture redis, int timeoutMilliseconds = 400) =>
        ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString + $",syncTimeout={timeoutMilliseconds},asyncTimeout={timeoutMilliseconds}");

    public static IHost Start(
        IConnectionMultiplexer connection, string prefix, IScheduledHandlerRegistry registry, bool streams, Action<SchedulerOptions>? configure = null, Action<HostApplicationBuilder>? customize = null)
    {
        var host = Hosts.Redis(
            connection,
            prefix,
            registry,
            o =>
            {
                o.Worker.LeaseDuration = TimeSpan.FromSeconds(1);
                o.Streams.VisibilityTimeout = TimeSpan.FromSeconds(1);
                o.Execution.MaxConcurrency = 2;
                configure?.Invoke(o);
            },
            streams,
            customize);
        return host;
    }

    public static IScheduler Scheduler(this IHost host) => host.Services.GetRequiredService<IScheduler>();

    /// <summary>Completes after the host's worker has polled <paramref name="polls"/> more times: it had that many chances to claim.</summary>
    public static Task PolledAsync(this IHost host, int polls)
    {
        var worker = host.Services.GetServices<IHostedService>().OfType<SchedulerWorkerService>().Single();
        var target = worker.PollCount + polls;
        return Eventually.TrueAsync(() => worker.PollCount >= target, TimeSpan.FromSeconds(10), $"{polls} more polls");
    }
}
