using Athomic.Scheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Runs one leased task through the handler catalog in its own DI scope, then ends the lease: complete on success;
/// retry with exponential backoff and jitter on a handler exception; dead letter for an unknown handler, an
/// undecodable payload, or when attempts are exhausted; release when the host stops mid-run.
/// </summary>
internal sealed class TaskExecutor
{
    private readonly HandlerCatalog _catalog;
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SchedulerExecutionOptions _options;

    public TaskExecutor(HandlerCatalog catalog, IServiceScopeFactory scopes, IOptions<SchedulerOptions> options, TimeProvider time, ILogger<TaskExecutor> logger)
    {
        _catalog = catalog;
        _scopes = scopes;
        _time = time;
        _logger = logger;
        _options = options.Value.Execution;
    }

    public async Task ExecuteAsync(TaskLease lease, CancellationToken stoppingToken)
    {
        var task = lease.Task;
        if (!_catalog.TryGet(task.Handler, out var handler))
        {
            await DeadLetterAsync(lease, $"No handler named '{task.Handler}' is registered in this host.").ConfigureAwait(false);
            return;
        }

        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                await handler.Invoker(new TaskContext(task, _time.GetUtcNow()), scope.ServiceProvider, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }
        catch (TaskPayloadException ex)
        {
            await DeadLetterAsync(lease, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception ex)
        {
            var maxAttempts = handler.MaxAttempts > 0 ? handler.MaxAttempts : _options.MaxAttempts;
            if (task.Attempt >= maxAttempts)
            {
                await DeadLetterAsync(lease, $"{ex.GetType().FullName}: {ex.Message}").ConfigureAwait(false);
                return;
            }

            var delay = RetryDelay(task.Attempt);
            Log.TaskRetrying(_logger, task.TaskId, task.Handler, task.Attempt, delay, ex);
            await lease.RetryAsync(delay, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        await lease.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Exponential backoff from <c>RetryBaseDelay</c>, capped at <c>RetryMaxDelay</c>, with ±20 % jitter.</summary>
    internal TimeSpan RetryDelay(int attempt)
    {
        var exponent = Math.Min(attempt - 1, 30);
        var ms = Math.Min(_options.RetryMaxDelay.TotalMilliseconds, _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(_options.RetryMaxDelay.TotalMilliseconds, ms * jitter));
    }

    private Task DeadLetterAsync(TaskLease lease, string reason)
    {
        Log.TaskDeadLettered(_logger, lease.Task.TaskId, lease.Task.Handler, lease.Task.Attempt, reason);
        return lease.DeadLetterAsync(reason, CancellationToken.None);
    }
}
