using Athomic.Scheduler.Execution;
using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Hosting;

/// <summary>Starts and stops whichever <see cref="ITaskBroker"/> is registered, when it is a hosted service.</summary>
internal sealed class BrokerLifetime(ITaskBroker broker) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        broker is IHostedService hosted ? hosted.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        broker is IHostedService hosted ? hosted.StopAsync(cancellationToken) : Task.CompletedTask;
}
