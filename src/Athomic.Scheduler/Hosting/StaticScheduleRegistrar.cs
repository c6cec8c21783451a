using Athomic.Scheduler.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Hosting;

/// <summary>
/// Stores the handlers' static <c>[Recurring]</c> schedules when the host starts. Storing an unchanged schedule is a
/// no-op in the store, so any number of hosts, restarts and redeploys add each occurrence once. While the store is
/// unreachable it retries with backoff, without blocking the host's start.
/// </summary>
internal sealed class StaticScheduleRegistrar(IScheduler scheduler, HandlerCatalog catalog, TimeProvider time, ILogger<StaticScheduleRegistrar> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = catalog.Recurring.ToList();
        var delay = TimeSpan.FromMilliseconds(100);
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            var handler = pending[0];
            var recurring = handler.Recurring!;
            try
            {
                var status = await scheduler.AddOrUpdateRecurringAsync(recurring.ScheduleId, new GenericTask(handler.Name, default), recurring.Schedule, stoppingToken).ConfigureAwait(false);
                Log.RecurringUpserted(logger, recurring.ScheduleId, handler.Name, recurring.Schedule.ToString(), status);
                pending.RemoveAt(0);
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (SchedulerUnavailableException ex)
            {
                Log.StoreUnavailable(logger, delay, ex);
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }
}
