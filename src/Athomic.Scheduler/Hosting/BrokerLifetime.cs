using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Hosting;

/// <summary>
/// Starts and stops the broker the builder chose (the in-process broker by default, the Redis Streams broker with
/// <c>UseRedisStreamsBroker()</c>), at its place among the hosted services: after the lease keeper, before the worker,
/// so it stops after the worker stopped claiming and before the lease keeper hands back what is still held.
/// </summary>
internal sealed class BrokerLifetime(IHostedService broker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => broker.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => broker.StopAsync(cancellationToken);
}
