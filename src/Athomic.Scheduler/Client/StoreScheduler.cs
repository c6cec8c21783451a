using Athomic.Scheduler.Extensibility;
using System.Diagnostics;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Client;

/// <summary>
/// The <see cref="IScheduler"/> over an <see cref="IScheduleStore"/>: validates every request before anything is
/// written, encodes the envelope, and leaves the clock to the store (a delay becomes a due time on the store's clock).
/// </summary>
internal sealed class StoreScheduler : IScheduler
{
    private readonly IScheduleStore _store;
    private readonly IRecurringStore? _recurring;
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyValuePair<string, object?> _schedule;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="store">The schedule store.</param>
    /// <param name="recurring">The same store's recurring schedules; <see langword="null"/> for a store without them.</param>
    /// <param name="options">The options.</param>
    /// <param name="time">The local clock, used only to bound how far ahead an execution time may be.</param>
    public StoreScheduler(IScheduleStore store, IRecurringStore? recurring, IOptions<SchedulerOptions> options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _recurring = recurring;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _schedule = new("schedule", _options.KeyPrefix);
    }

    private IRecurringStore RecurringStore =>
        _recurring ?? throw new NotSupportedException($"The schedule store {_store.GetType().Name} does not support recurring schedules.");

    /// <inheritdoc />
    public Task<string> ScheduleAsync(GenericTask task, TimeSpan delay, string? taskId = null, CancellationToken cancellationToken = default) =>
        ScheduleOne(task, taskId, delay, null, "delay", cancellationToken);

    /// <inheritdoc />
    public Task<string> ScheduleAtAsync(GenericTask task, DateTimeOffset executionTime, string? taskId = null, CancellationToken cancellationToken = default) =>
        ScheduleOne(task, taskId, null, executionTime, "executionTime", cancellationToken);

    /// <summary>Invalid input faults the returned task (as from an async method); a span only while someone listens.</summary>
    private Task<string> ScheduleOne(GenericTask task, string? taskId, TimeSpan? delay, DateTimeOffset? executionTime, string paramName, CancellationToken cancellationToken)
    {
        try
        {
            return SchedulerTracing.Source.HasListeners()
                ? ScheduleTracedAsync(WithId(task, taskId), delay, executionTime, paramName, cancellationToken)
                : ScheduleOneAsync(Prepare(WithId(task, taskId), null, delay, executionTime, paramName), task.Handler, cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<string>(ex);
        }
    }

    /// <summary>Stores one prepared task (no span: the path of every call while nobody listens, as small as before tracing).</summary>
    private async Task<string> ScheduleOneAsync(StoreItem item, string handler, CancellationToken cancellationToken)
    {
        await _store.ScheduleAsync([item], _options.ExistingTaskPolicy, cancellationToken).ConfigureAwait(false);
        SchedulerMetrics.ScheduledCounter.Add(1, _schedule, new("handler", handler));
        return item.TaskId;
    }

    /// <summary>One task inside its producer span <c>schedule {handler}</c>, whose context the envelope carries.</summary>
    private async Task<string> ScheduleTracedAsync(GenericTask task, TimeSpan? delay, DateTimeOffset? executionTime, string paramName, CancellationToken cancellationToken)
    {
        using var activity = SchedulerTracing.StartSchedule(task.Handler, task.TaskId, 1);
        try
        {
            var item = Prepare(task, activity, delay, executionTime, paramName);
            activity?.SetTag(SchedulerTracing.Partition, TaskPartitioner.PartitionOf(task.TaskId, _options.Partitions));
            return await ScheduleOneAsync(item, task.Handler, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SchedulerTracing.Fail(activity, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ScheduleResult>> ScheduleManyAsync(IReadOnlyList<ScheduleRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var activity = SchedulerTracing.StartSchedule(SameHandler(requests), null, requests.Count);
        try
        {
            return await ScheduleManyCoreAsync(requests, activity, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SchedulerTracing.Fail(activity, ex);
            throw;
        }
    }

    /// <summary>The handler of every request when they share one (the batch span's destination), else <see langword="null"/>.</summary>
    private static string? SameHandler(IReadOnlyList<ScheduleRequest> requests)
    {
        if (!SchedulerTracing.Source.HasListeners() || requests.Count == 0 || requests[0]?.Task is not { } first)
        {
            return null;
        }

        foreach (var request in requests)
        {
            if (request?.Task is not { } task || !string.Equals(task.Handler, first.Handler, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return first.Handler;
    }

    private async Task<IReadOnlyList<ScheduleResult>> ScheduleManyCoreAsync(IReadOnlyList<ScheduleRequest> requests, Activity? activity, CancellationToken cancellationToken)
    {
        var results = new ScheduleResult[requests.Count];
        var groups = new Dictionary<ExistingTaskPolicy, (List<StoreItem> Items, List<int> Positions)>();
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i] ?? throw new ArgumentException($"Request {i} is null.", nameof(requests));
            if (request.Delay.HasValue == request.ExecutionTime.HasValue)
            {
                throw new ArgumentException($"Request {i} must give exactly one of Delay and ExecutionTime.", nameof(requests));
            }

            var item = Prepare(request.Task, activity, request.Delay, request.ExecutionTime, nameof(requests));
            var policy = request.Policy ?? _options.ExistingTaskPolicy;
            if (!groups.TryGetValue(policy, out var group))
            {
                groups[policy] = group = (new List<StoreItem>(), new List<int>());
            }

            group.Items.Add(item);
            group.Positions.Add(i);
        }

        foreach (var (policy, group) in groups)
        {
            var statuses = await _store.ScheduleAsync(group.Items, policy, cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < statuses.Length; j++)
            {
                var position = group.Positions[j];
                results[position] = new ScheduleResult(group.Items[j].TaskId, statuses[j]);
                SchedulerMetrics.ScheduledCounter.Add(1, _schedule, new("handler", requests[position].Task.Handler));
            }
        }

        return results;
    }

    /// <inheritdoc />
    public async Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        var cancelled = await _store.CancelAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (cancelled)
        {
            SchedulerMetrics.CancelledCounter.Add(1, _schedule);
        }

        return cancelled;
    }

    /// <inheritdoc />
    public async Task<ScheduledTaskInfo?> GetAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        var stored = await _store.GetAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        DateTimeOffset? due = stored.State == ScheduledTaskState.Pending ? DateTimeOffset.FromUnixTimeMilliseconds(stored.ScoreMilliseconds) : null;
        return new ScheduledTaskInfo(TaskEnvelope.Read(stored.Envelope, due), stored.State);
    }

    /// <inheritdoc />
    public Task<RecurringUpsertStatus> AddOrUpdateRecurringAsync(string scheduleId, GenericTask task, RecurringSchedule schedule, CancellationToken cancellationToken = default)
    {
        RecurringTaskIds.Validate(scheduleId);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(schedule);
        if (task.Payload.Length > _options.MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"The payload of recurring schedule '{scheduleId}' is {task.Payload.Length} bytes; the limit (Athomic:Scheduler:MaxPayloadBytes) is {_options.MaxPayloadBytes}.",
                nameof(task));
        }

        var definition = new Recurring.RecurringDefinition(task.Handler, task.Payload, schedule).Write();
        return UpsertAsync(scheduleId, task.Handler, definition, cancellationToken);
    }

    /// <summary>
    /// Stores a recurring definition inside a producer span (<c>schedule {handler}</c>, operation type <c>create</c>),
    /// whose trace context (or the caller's) every occurrence carries, so each run links to this call.
    /// </summary>
    private async Task<RecurringUpsertStatus> UpsertAsync(string scheduleId, string handler, byte[] definition, CancellationToken cancellationToken)
    {
        using var activity = SchedulerTracing.StartRecurring(handler, scheduleId);
        try
        {
            var status = await RecurringStore.UpsertRecurringAsync(scheduleId, definition, SchedulerTracing.TraceContext(activity), cancellationToken).ConfigureAwait(false);
            activity?.SetTag(SchedulerTracing.RecurringStatus, status.ToString());
            return status;
        }
        catch (Exception ex)
        {
            SchedulerTracing.Fail(activity, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken = default)
    {
        RecurringTaskIds.Validate(scheduleId);
        return RecurringStore.RemoveRecurringAsync(scheduleId, cancellationToken);
    }

    private static GenericTask WithId(GenericTask task, string? taskId)
    {
        ArgumentNullException.ThrowIfNull(task);
        return taskId is null || taskId == task.TaskId ? task : task.WithTaskId(taskId);
    }

    /// <summary>Validates and encodes one task; its envelope carries the trace context of <paramref name="activity"/> (or the caller's).</summary>
    private StoreItem Prepare(GenericTask task, Activity? activity, TimeSpan? delay, DateTimeOffset? executionTime, string paramName)
    {
        ArgumentNullException.ThrowIfNull(task);
        task = SchedulerTracing.Propagate(task, activity);
        if (task.Payload.Length > _options.MaxPayloadBytes)
        {
            throw new ArgumentException(
                $"The payload of task '{task.TaskId}' is {task.Payload.Length} bytes; the limit (Athomic:Scheduler:MaxPayloadBytes) is {_options.MaxPayloadBytes}.",
                paramName);
        }

        var envelope = TaskEnvelope.Write(task);
        if (delay is { } d)
        {
            if (d < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(paramName, d, "The delay must not be negative.");
            }

            if (d > _options.MaxDelay)
            {
                throw new ArgumentOutOfRangeException(paramName, d, $"The delay exceeds the limit (Athomic:Scheduler:MaxDelay = {_options.MaxDelay}).");
            }

            return new StoreItem(task.TaskId, envelope, (long)d.TotalMilliseconds, IsRelative: true) { Priority = task.Priority };
        }

        var at = executionTime!.Value;
        if (at == default)
        {
            throw new ArgumentException("The execution time is default(DateTimeOffset); give a real time (UTC recommended).", paramName);
        }

        if (at - _time.GetUtcNow() > _options.MaxDelay)
        {
            throw new ArgumentOutOfRangeException(paramName, at, $"The execution time is further ahead than the limit (Athomic:Scheduler:MaxDelay = {_options.MaxDelay}).");
        }

        return new StoreItem(task.TaskId, envelope, at.ToUnixTimeMilliseconds(), IsRelative: false) { Priority = task.Priority };
    }
}
