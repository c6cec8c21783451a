using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Recurring;

/// <summary>
/// Stores the handlers' static <c>[Recurring]</c> schedules when the host starts. Storing an unchanged schedule is a
/// no-op in the store, so any number of hosts, restarts and redeploys add each occurrence once. While the store is
/// unreachable or answers an error (OOM, BUSY, READONLY…), it retries with backoff, without blocking the host's start
/// and without ever stopping the host; a schedule that fails goes to the back of the line, so the others are stored.
/// </summary>
internal sealed class StaticScheduleRegistrar(IScheduler scheduler, HandlerCatalog catalog, TimeProvider time, ILogger<StaticScheduleRegistrar> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pending = new Queue<ScheduledHandlerDescriptor>(catalog.Recurring);
        var delay = TimeSpan.FromMilliseconds(100);
        while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
        {
            var handler = pending.Peek();
            var recurring = handler.Recurring!;
            try
            {
                var status = await scheduler.AddOrUpdateRecurringAsync(recurring.ScheduleId, new GenericTask(handler.Name, default), recurring.Schedule, stoppingToken).ConfigureAwait(false);
                Log.RecurringUpserted(logger, recurring.ScheduleId, handler.Name, recurring.Schedule.ToString(), status);
                pending.Dequeue();
                delay = TimeSpan.FromMilliseconds(100);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SchedulerUnavailableException ex)
            {
                Log.StoreUnavailable(logger, delay, ex);
            }
            catch (Exception ex)
            {
                // An error reply (OOM, BUSY, READONLY during a failover…) is no reason to stop the host.
                Log.RecurringUpsertFailed(logger, recurring.ScheduleId, delay, ex);
            }

            pending.Enqueue(pending.Dequeue());
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }
}
