namespace Athomic.Scheduler;

/// <summary>
/// A scheduled task, untyped: its id, the name of the handler that runs it, and the handler's MessagePack-encoded
/// payload, plus what execution needs (attempt and due time). Generated <c>ScheduleXxxAsync</c> methods build one.
/// </summary>
/// <remarks>
/// Its stored form is the task's <em>envelope</em>: a versioned MessagePack array written and read by
/// <see cref="Serialization.TaskEnvelope"/> (the due time is not in it: it is the task's score in the schedule);
/// handlers never see type names from storage, only the handler name, which is looked up in the registry.
/// </remarks>
public sealed class GenericTask
{
    /// <summary>Creates a task for <paramref name="handler"/> with an encoded payload.</summary>
    /// <param name="handler">The handler name (see <see cref="ScheduledHandlerAttribute"/>).</param>
    /// <param name="payload">The MessagePack-encoded payload; empty for handlers without one.</param>
    /// <param name="taskId">The task id; a new UUID (32 hex digits) when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The handler name or task id is invalid.</exception>
    public GenericTask(string handler, ReadOnlyMemory<byte> payload, string? taskId = null)
    {
        TaskIds.ValidateHandler(handler);
        if (taskId is not null)
        {
            TaskIds.Validate(taskId);
        }

        Handler = handler;
        Payload = payload;
        TaskId = taskId ?? TaskIds.NewId();
    }

    /// <summary>The unique id of the task; the member of the schedule.</summary>
    public string TaskId { get; private init; }

    /// <summary>The name of the handler that runs the task.</summary>
    public string Handler { get; }

    /// <summary>The MessagePack-encoded payload of the handler.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>The 1-based attempt number; 1 for the first execution, incremented by each retry.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>When the task is (or was) due; <see langword="null"/> until the store assigned a due time.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// The priority the task is stored with (0 to 1000, 0 the default and lowest): among due tasks that compete for a
    /// worker, higher priorities are claimed first. The generated task factories set the handler's declared
    /// <see cref="ScheduledHandlerAttribute.Priority"/>.
    /// </summary>
    public int Priority
    {
        get => _priority;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxPriority);
            _priority = value;
        }
    }

    /// <summary>The highest <see cref="Priority"/>.</summary>
    public const int MaxPriority = 1000;

    private readonly int _priority;

    /// <summary>Returns a copy of this task stored under another id.</summary>
    /// <param name="taskId">The new task id.</param>
    /// <returns>The copy.</returns>
    public GenericTask WithTaskId(string taskId)
    {
        TaskIds.Validate(taskId);
        return new GenericTask(this) { TaskId = taskId };
    }

    /// <summary>
    /// The W3C <c>traceparent</c> of the operation that scheduled the task (envelope field 6), or
    /// <see langword="null"/> when it was scheduled outside any trace. Kept by retries, so every attempt links to it.
    /// </summary>
    internal string? TraceParent { get; private init; }

    /// <summary>The W3C <c>tracestate</c> that goes with <see cref="TraceParent"/> (envelope field 7), or <see langword="null"/>.</summary>
    internal string? TraceState { get; private init; }

    /// <summary>Returns a copy of this task with another attempt number and due time.</summary>
    internal GenericTask WithExecution(int attempt, DateTimeOffset? dueAt) =>
        new(this) { Attempt = attempt, DueAt = dueAt };

    /// <summary>Returns a copy of this task carrying the trace context of the operation that schedules it.</summary>
    internal GenericTask WithTrace(string? traceParent, string? traceState) =>
        new(this) { TraceParent = traceParent, TraceState = string.IsNullOrEmpty(traceState) ? null : traceState };

    private GenericTask(GenericTask other)
    {
        TaskId = other.TaskId;
        Handler = other.Handler;
        Payload = other.Payload;
        Attempt = other.Attempt;
        DueAt = other.DueAt;
        _priority = other._priority;
        TraceParent = other.TraceParent;
        TraceState = other.TraceState;
    }
}
