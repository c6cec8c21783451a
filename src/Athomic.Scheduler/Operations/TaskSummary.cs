namespace Athomic.Scheduler.Operations;

/// <summary>A stored task as an operator sees it.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="State">Pending, in flight or dead-lettered.</param>
/// <param name="Handler">The handler name, or an empty string when the envelope cannot be read (then <see cref="LastError"/> says why).</param>
/// <param name="Attempt">The attempt that runs next (pending), runs (in flight) or ran last (dead letter); 0 when unknown.</param>
/// <param name="PayloadSize">The payload's size in bytes.</param>
/// <param name="Partition">The partition that holds the task.</param>
public sealed record TaskSummary(string TaskId, ScheduledTaskState State, string Handler, int Attempt, int PayloadSize, int Partition)
{
    /// <summary>When a pending task is due.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>
    /// Whether a pending task is due and waits for flow control: its handler is paused
    /// (<see cref="ISchedulerOperations.PauseHandlerAsync"/>) or at its concurrency or rate limit. It keeps its
    /// <see cref="DueAt"/> and attempt, and runs when a slot frees or the handler is resumed. A pending listing shows
    /// waiting tasks after those not held back, in due order among themselves.
    /// </summary>
    public bool IsWaiting { get; init; }

    /// <summary>When an in-flight task's lease runs out unless its owner renews it.</summary>
    public DateTimeOffset? LeaseDeadline { get; init; }

    /// <summary>
    /// Who holds an in-flight task's lease: <c>{machine}-{process id}</c> of the worker that claimed it (with the
    /// streams broker: the consumer that read its entry), or <see langword="null"/> when not known (a claim by an older
    /// version, or an entry no consumer has read yet).
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The last error known: a dead letter's reason, or why the stored envelope cannot be read. The error of a failed
    /// attempt that is retried is not stored.
    /// </summary>
    public string? LastError { get; init; }

    /// <summary>When a dead letter was written.</summary>
    public DateTimeOffset? FailedAt { get; init; }
}
