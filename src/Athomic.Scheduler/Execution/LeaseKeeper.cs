using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Holds the leases of the tasks this process claimed: renews them while they are held and ends them in the store.
/// A lease whose end fails (store unreachable) is dropped: it expires and another worker runs the task again,
/// which is the at-least-once guarantee (never a loss).
/// </summary>
/// <remarks>
/// A hosted service registered before the broker and the worker, so it stops after them: handlers still running
/// during the host's shutdown keep their leases, and whatever is still held at the very end is handed back.
/// </remarks>
internal sealed class LeaseKeeper : BackgroundService, ILeaseOwner
{
    private readonly IScheduleStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _lease;
    private readonly KeyValuePair<string, object?> _schedule;
    private readonly ConcurrentDictionary<string, TaskLease> _held = new(StringComparer.Ordinal);

    public LeaseKeeper(IScheduleStore store, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<LeaseKeeper> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _lease = options.Value.Worker.LeaseDuration;
        _schedule = new("schedule", options.Value.KeyPrefix);
    }

    public TimeSpan Lease => _lease;

    public int HeldCount => _held.Count;

    public TaskLease Track(GenericTask task)
    {
        var lease = new TaskLease(task, this);
        _held[task.TaskId] = lease;
        return lease;
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await ReleaseAllAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews held leases every third of the lease duration until the host stops.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = _lease / 3;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var ids = _held.Keys.ToArray();
            if (ids.Length == 0)
            {
                continue;
            }

            try
            {
                await _store.ExtendLeasesAsync(ids, _lease, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.LeaseRenewalFailed(_logger, ids.Length, ex);
            }
        }
    }

    /// <summary>Hands back every lease still held (shutdown).</summary>
    private async Task ReleaseAllAsync(CancellationToken cancellationToken)
    {
        foreach (var lease in _held.Values.ToArray())
        {
            await lease.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    Task ILeaseOwner.CompleteAsync(TaskLease lease, CancellationToken ct) =>
        EndAsync(lease.Task, "complete", SchedulerMetrics.CompletedCounter, () => _store.AckAsync(lease.Task.TaskId, ct));

    Task ILeaseOwner.RetryAsync(TaskLease lease, TimeSpan delay, CancellationToken ct)
    {
        var next = LeaseOutcome.NextAttempt(lease.Task);
        return EndAsync(lease.Task, "retry", SchedulerMetrics.RetriedCounter, () => _store.RetryAsync(lease.Task.TaskId, next, delay, ct));
    }

    Task ILeaseOwner.ReleaseAsync(TaskLease lease, CancellationToken ct) =>
        EndAsync(lease.Task, "release", SchedulerMetrics.ReleasedCounter, async () => await _store.ReleaseAsync([lease.Task.TaskId], ct).ConfigureAwait(false) == 1);

    Task ILeaseOwner.DeadLetterAsync(TaskLease lease, string reason, CancellationToken ct)
    {
        var record = LeaseOutcome.DeadLetterRecord(lease.Task, reason, _time);
        return EndAsync(lease.Task, "dead-letter", SchedulerMetrics.DeadLetteredCounter, () => _store.DeadLetterAsync(lease.Task.TaskId, record, ct));
    }

    private async Task EndAsync(GenericTask task, string action, Counter<long> counter, Func<Task<bool>> end)
    {
        try
        {
            await LeaseOutcome.EndAsync(_logger, _schedule, task, action, counter, end).ConfigureAwait(false);
        }
        finally
        {
            _held.TryRemove(task.TaskId, out _);
        }
    }
}
