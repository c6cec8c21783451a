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
internal sealed class LeaseKeeper : BackgroundService
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

    internal Task CompleteAsync(GenericTask task, CancellationToken ct) =>
        EndAsync(task, "complete", SchedulerMetrics.CompletedCounter, () => _store.AckAsync(task.TaskId, ct));

    internal Task RetryAsync(GenericTask task, TimeSpan delay, CancellationToken ct)
    {
        var next = TaskEnvelope.Write(task.WithExecution(task.Attempt + 1, null));
        return EndAsync(task, "retry", SchedulerMetrics.RetriedCounter, () => _store.RetryAsync(task.TaskId, next, delay, ct));
    }

    internal Task ReleaseAsync(GenericTask task, CancellationToken ct) =>
        EndAsync(task, "release", SchedulerMetrics.ReleasedCounter, async () => await _store.ReleaseAsync([task.TaskId], ct).ConfigureAwait(false) == 1);

    internal Task DeadLetterAsync(GenericTask task, string reason, CancellationToken ct)
    {
        var record = new DeadLetter(task.TaskId, TaskEnvelope.Write(task), reason, task.Attempt, _time.GetUtcNow()).Encode();
        return EndAsync(task, "dead-letter", SchedulerMetrics.DeadLetteredCounter, () => _store.DeadLetterAsync(task.TaskId, record, ct));
    }

    private async Task EndAsync(GenericTask task, string action, Counter<long> counter, Func<Task<bool>> end)
    {
        try
        {
            if (await end().ConfigureAwait(false))
            {
                counter.Add(1, _schedule, new KeyValuePair<string, object?>("handler", task.Handler));
            }
            else
            {
                Log.LeaseLost(_logger, task.TaskId, action);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LeaseEndFailed(_logger, task.TaskId, action, ex);
        }
        finally
        {
            _held.TryRemove(task.TaskId, out _);
        }
    }
}
