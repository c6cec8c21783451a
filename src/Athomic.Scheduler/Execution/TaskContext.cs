namespace Athomic.Scheduler.Execution;

/// <summary>What a handler may know about the task it runs; declare a parameter of this type to receive it.</summary>
public sealed class TaskContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="task">The task.</param>
    /// <param name="startedAt">When execution started.</param>
    public TaskContext(GenericTask task, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        StartedAt = startedAt;
    }

    /// <summary>The task envelope.</summary>
    public GenericTask Task { get; }

    /// <summary>The task id.</summary>
    public string TaskId => Task.TaskId;

    /// <summary>The handler name.</summary>
    public string Handler => Task.Handler;

    /// <summary>The 1-based attempt.</summary>
    public int Attempt => Task.Attempt;

    /// <summary>When the task was due.</summary>
    public DateTimeOffset? DueAt => Task.DueAt;

    /// <summary>When this execution started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The encoded payload.</summary>
    public ReadOnlyMemory<byte> Payload => Task.Payload;
}
