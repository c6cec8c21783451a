using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Hosting;

/// <summary>Adds this host's schedule to the gauges while the host runs (<see cref="ScheduleGauges"/>).</summary>
internal sealed class ScheduleGaugeRegistration(ScheduleStatistics statistics, IOptions<SchedulerOptions> options) : IHostedService
{
    private IDisposable? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration ??= ScheduleGauges.Register(statistics, options.Value.GaugeRefreshInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _registration, null)?.Dispose();
        return Task.CompletedTask;
    }
}
