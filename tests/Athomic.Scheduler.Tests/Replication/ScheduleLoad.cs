using System.Collections.Concurrent;
using Athomic.Scheduler.Tests.Infrastructure;

namespace Athomic.Scheduler.Tests.Replication;

/// <summary>
/// A steady stream of single schedules (about 150/s, each due 100 ms later) through a failover: records which calls
/// returned (acknowledged: they must run) and counts those that threw (unconfirmed: they may or may not run). Any other
/// exception stops the load and fails the test that waits on it.
/// </summary>
internal sealed class ScheduleLoad
{
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private int _unconfirmed;

    private ScheduleLoad(IScheduler scheduler, string idPrefix) => _run = Task.Run(() => RunAsync(scheduler, idPrefix));

    public int Acknowledged => _acknowledged.Count;

    public int Unconfirmed => Volatile.Read(ref _unconfirmed);

    /// <summary>The ids acknowledged so far, in order.</summary>
    public IReadOnlyCollection<string> AcknowledgedIds => _acknowledged;

    public static ScheduleLoad Start(IScheduler scheduler, string idPrefix = "s") => new(scheduler, idPrefix);

    /// <summary>Waits until <paramref name="more"/> further schedules are acknowledged; rethrows the load's own failure.</summary>
    public Task WhenAcknowledgedAsync(int more, TimeSpan timeout)
    {
        var target = Acknowledged + more;
        return Eventually.TrueAsync(
            () => _run.IsFaulted ? throw _run.Exception! : Task.FromResult(Acknowledged >= target),
            timeout,
            $"{more} more schedules are acknowledged");
    }

    /// <summary>Stops the load; returns every acknowledged id.</summary>
    public async Task<string[]> StopAsync()
    {
        _stop.Cancel();
        await _run;
        return [.. _acknowledged];
    }

    private async Task RunAsync(IScheduler scheduler, string idPrefix)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var id = $"{idPrefix}{i:D5}";
            try
            {
                await scheduler.ScheduleAsync(new GenericTask(RunLog.Handler, default), TimeSpan.FromMilliseconds(100), id);
                _acknowledged.Enqueue(id);
            }
            catch (Exception ex) when (ex is SchedulerReplicationException or SchedulerUnavailableException)
            {
                Interlocked.Increment(ref _unconfirmed); // may or may not survive: not counted as acknowledged
            }

            await Task.Delay(5); // pacing the load (about 150 schedules/s), not synchronisation
        }
    }
}
