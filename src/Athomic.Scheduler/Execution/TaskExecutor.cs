using Athomic.Scheduler.Extensibility;
using System.Diagnostics;
using System.Globalization;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Runs one leased task through the handler catalog in its own DI scope, then ends the lease. The one place where
/// the failure policy lives, shared by every broker: complete on success; retry with exponential backoff and jitter
/// on a handler exception, a run past the handler's <c>Timeout</c> (its token is cancelled then) or an unknown handler
/// (during a rolling deployment another host may know it) until the attempts are exhausted, then dead letter; dead
/// letter at once for an undecodable payload (retrying cannot fix it); release when the host stops mid-run; only let
/// go of the lease when its claim was lost (the run's token is cancelled then, and another worker holds the task).
/// Each run is observed here too, the same for every broker: a log scope (task id, handler, attempt), the consumer span
/// <c>process {handler}</c> (<see cref="SchedulerTracing"/>), current while the handler runs, and the duration,
/// lateness and failure metrics.
/// </summary>
internal sealed class TaskExecutor
{
    private readonly HandlerCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SchedulerExecutionOptions _options;
    private readonly KeyValuePair<string, object?> _schedule;
    private readonly int _partitions;
    private readonly RunCancellations _runs = new();

    public TaskExecutor(HandlerCatalog catalog, IServiceScopeFactory scopes, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<TaskExecutor> logger)
    {
        _catalog = catalog;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _options = options.Value.Execution;
        _schedule = new("schedule", options.Value.KeyPrefix);
        _partitions = options.Value.Partitions;
    }

    public async Task ExecuteAsync(TaskLease lease, CancellationToken stoppingToken)
    {
        var task = lease.Task;
        var startedAt = _time.GetUtcNow();
        using var logScope = Log.TaskRunScope(_logger, task.TaskId, task.Handler, task.Attempt);
        using var activity = SchedulerTracing.StartProcess(
            task, SchedulerTracing.Source.HasListeners() ? TaskPartitioner.PartitionOf(task.TaskId, _partitions) : 0, startedAt);
        var handlerTag = new KeyValuePair<string, object?>("handler", task.Handler);
        if (task.DueAt is { } due)
        {
            SchedulerMetrics.LatenessHistogram.Record(Math.Max(0, (startedAt - due).TotalSeconds), _schedule, handlerTag);
        }

        if (lease.IsLost)
        {
            // Lost while it waited for a handler slot: another worker holds the task now.
            AbandonLost(lease, activity);
            return;
        }

        if (!_catalog.TryGet(task.Handler, out var handler))
        {
            var missing = $"No handler named '{task.Handler}' is registered in this host.";
            CountFailure(activity, handlerTag, "handler_not_found", missing);
            await FailAsync(lease, _options.MaxAttempts, missing, null, null).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();

        // The handler's token: cancelled when the host stops, when the keeper learns that the claim was lost, or at the
        // handler's Timeout. The lease ends only after the handler returns, whatever its token says, so a run that
        // overruns its Timeout keeps its lease (and any flow-control slot) until it really ends. The Timeout's timer
        // lives in the run's source, and the source in the lease (lease.Run), not in locals of this method: every local
        // that lives across an await makes each run's state machine larger.
        lease.AttachRun(_runs.Rent(stoppingToken, handler.Flow?.Timeout, _time));
        try
        {
            try
            {
                var scope = _scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await handler.Invoker(new TaskContext(task, startedAt), scope.ServiceProvider, lease.Run!.Source.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (lease.IsLost)
            {
                // Not a failed attempt: the claim belongs to another worker, so this run neither retries nor dead-letters.
                RecordDuration(started, handlerTag);
                AbandonLost(lease, activity);
                return;
            }
            catch (TaskPayloadException ex)
            {
                RecordDuration(started, handlerTag);
                SchedulerTracing.Fail(activity, ex);
                SchedulerMetrics.FailedCounter.Add(1, _schedule, handlerTag, new("error.type", typeof(TaskPayloadException).FullName));
                await DeadLetterAsync(lease, ex.Message).ConfigureAwait(false);
                return;
            }
            catch (Exception) when (lease.Run!.TimedOut)
            {
                // Whatever the handler threw once its Timeout fired (typically OperationCanceledException) is the timeout.
                RecordDuration(started, handlerTag);
                var timeout = handler.Flow!.Timeout!.Value;
                var reason = TimedOutReason(timeout);
                CountFailure(activity, handlerTag, "timeout", reason);
                await FailAsync(lease, MaxAttempts(handler), reason, null, timeout).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                RecordDuration(started, handlerTag);
                SchedulerTracing.Fail(activity, ex);
                SchedulerMetrics.FailedCounter.Add(1, _schedule, handlerTag, new("error.type", ex.GetType().FullName));
                await FailAsync(lease, MaxAttempts(handler), $"{ex.GetType().FullName}: {ex.Message}", ex, null).ConfigureAwait(false);
                return;
            }

            RecordDuration(started, handlerTag);
            await lease.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            // After the lease ended: a pooled source serves the next run only once this run can no longer be cancelled.
            _runs.Return(lease.Run!);
        }
    }

    private int MaxAttempts(ScheduledHandlerDescriptor handler) => handler.MaxAttempts > 0 ? handler.MaxAttempts : _options.MaxAttempts;

    private void RecordDuration(long started, KeyValuePair<string, object?> handlerTag) =>
        SchedulerMetrics.DurationHistogram.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _schedule, handlerTag);

    private void CountFailure(Activity? activity, KeyValuePair<string, object?> handlerTag, string errorType, string description)
    {
        SchedulerTracing.Fail(activity, errorType, description);
        SchedulerMetrics.FailedCounter.Add(1, _schedule, handlerTag, new("error.type", errorType));
    }

    /// <summary>Exponential backoff from <c>RetryBaseDelay</c>, capped at <c>RetryMaxDelay</c>, with ±20 % jitter.</summary>
    internal TimeSpan RetryDelay(int attempt)
    {
        var exponent = Math.Min(attempt - 1, 30);
        var ms = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(_options.RetryMaxDelay.TotalMilliseconds, ms * jitter));
    }

    /// <summary>The dead-letter reason of a run that its handler's Timeout cancelled.</summary>
    private static string TimedOutReason(TimeSpan timeout) =>
        string.Create(CultureInfo.InvariantCulture, $"Timed out after {timeout.TotalSeconds:0.###} s (the handler's Timeout); its token was cancelled.");

    /// <summary>
    /// A failed attempt: retried after a backoff until <paramref name="maxAttempts"/>, then dead-lettered. The retry is
    /// logged as a timeout when <paramref name="timedOutAfter"/> is set, else with <paramref name="exception"/>, else as a
    /// missing handler. No callback: a lambda capturing the run's locals would cost every run (success too) a closure.
    /// </summary>
    private Task FailAsync(TaskLease lease, int maxAttempts, string reason, Exception? exception, TimeSpan? timedOutAfter)
    {
        var task = lease.Task;
        if (task.Attempt >= maxAttempts)
        {
            return DeadLetterAsync(lease, reason);
        }

        var delay = RetryDelay(task.Attempt);
        if (timedOutAfter is { } timeout)
        {
            Log.TaskTimedOut(_logger, task.TaskId, task.Handler, timeout, task.Attempt, delay);
        }
        else if (exception is null)
        {
            Log.TaskRetryingWithoutHandler(_logger, task.TaskId, task.Handler, task.Attempt, delay);
        }
        else
        {
            Log.TaskRetrying(_logger, task.TaskId, task.Handler, task.Attempt, delay, exception);
        }
        return lease.RetryAsync(delay, CancellationToken.None);
    }

    /// <summary>Ends a run whose claim was lost: no retry, no dead letter (another worker holds the task), no store call.</summary>
    private void AbandonLost(TaskLease lease, Activity? activity)
    {
        SchedulerTracing.Fail(activity, "claim_lost", "The claim was lost: another worker holds the task now.");
        Log.RunClaimLost(_logger, lease.Task.TaskId, lease.Task.Handler, lease.Task.Attempt);
        lease.Abandon();
    }

    private Task DeadLetterAsync(TaskLease lease, string reason)
    {
        Log.TaskDeadLettered(_logger, lease.Task.TaskId, lease.Task.Handler, lease.Task.Attempt, reason);
        return lease.DeadLetterAsync(reason, CancellationToken.None);
    }
}
