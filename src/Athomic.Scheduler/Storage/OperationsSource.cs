using System.Text;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// What the operations API (<see cref="ISchedulerOperations"/>) reads and changes in one schedule or one partition of
/// it: the built-in stores implement it beside their store contracts (one call per method, each O(log n + page)).
/// </summary>
internal interface IOperationsSource
{
    /// <summary>
    /// Reads the entries of one state after <see cref="TaskScanRequest.After"/> in the listing's order (pending and in
    /// flight: ascending (time, id); dead letters: descending), looking at no more than
    /// <see cref="TaskScanRequest.Budget"/> entries and returning the ones that pass the filters, at most
    /// <see cref="TaskScanRequest.Limit"/>.
    /// </summary>
    Task<TaskScan> ScanTasksAsync(TaskScanRequest request, CancellationToken cancellationToken);

    /// <summary>Reads one task in whichever state it is (pending, in flight, dead letter), or <see langword="null"/>.</summary>
    Task<TaskRecord?> GetTaskAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Makes a pending task due at the store's now.</summary>
    Task<RunNowStatus> RunNowAsync(string taskId, CancellationToken cancellationToken);

    /// <summary>Reads up to about <paramref name="count"/> recurring schedules from <paramref name="cursor"/> (<see langword="null"/>: the start).</summary>
    Task<RecurringScan> ScanRecurringAsync(string? cursor, int count, CancellationToken cancellationToken);

    /// <summary>Reads one recurring schedule, or <see langword="null"/>.</summary>
    Task<RecurringRecord?> GetRecurringAsync(string scheduleId, CancellationToken cancellationToken);

    /// <summary>
    /// Counts the due tasks that wait for flow control (their handler paused or at its limit), per handler in
    /// <paramref name="handlers"/>' order; a store that never holds tasks back counts none.
    /// </summary>
    Task<long[]> CountWaitingAsync(IReadOnlyList<string> handlers, CancellationToken cancellationToken);
}

/// <summary>A place in a listing: the entry's time (due, lease deadline, or dead-letter time; Unix ms) and its id.</summary>
internal readonly record struct TaskPosition(long Score, string Id)
{
    /// <summary>
    /// Compares two positions in ascending (score, id) order, ids by their UTF-8 bytes: the order of a Redis sorted set
    /// (and of the in-memory store's listings), so the merge over partitions agrees with every partition.
    /// </summary>
    public static int Compare(TaskPosition x, TaskPosition y)
    {
        var byScore = x.Score.CompareTo(y.Score);
        return byScore != 0 ? byScore : CompareIds(x.Id, y.Id);
    }

    /// <summary>Compares two ids by their UTF-8 bytes.</summary>
    public static int CompareIds(string x, string y)
    {
        var byOrdinal = string.CompareOrdinal(x, y);
        if (byOrdinal == 0 || (IsBmpOnly(x) && IsBmpOnly(y)))
        {
            // Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
            return byOrdinal;
        }

        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }

    private static bool IsBmpOnly(string value)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One call of <see cref="IOperationsSource.ScanTasksAsync"/>.</summary>
/// <param name="State">Which entries: pending, in flight or dead letters.</param>
/// <param name="After">Start strictly after this position (in the listing's order), or <see langword="null"/> for the start.</param>
/// <param name="Limit">How many matching entries at most.</param>
/// <param name="Budget">How many entries to look at, at most (≥ <paramref name="Limit"/>).</param>
/// <param name="Handler">Only this handler, or <see langword="null"/>.</param>
/// <param name="IdPrefix">Only ids with this prefix, or <see langword="null"/>.</param>
internal sealed record TaskScanRequest(ScheduledTaskState State, TaskPosition? After, int Limit, int Budget, string? Handler, string? IdPrefix);

/// <summary>The result of <see cref="IOperationsSource.ScanTasksAsync"/>.</summary>
/// <param name="Items">The matching entries, in the listing's order.</param>
/// <param name="LastSeen">The last entry looked at (matching or not), or <see langword="null"/> when none was.</param>
/// <param name="Exhausted">Whether the scan reached the end of the listing.</param>
internal sealed record TaskScan(IReadOnlyList<TaskRecord> Items, TaskPosition? LastSeen, bool Exhausted);

/// <summary>A stored task as a source reads it.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="State">Pending, in flight or dead letter.</param>
/// <param name="Score">Due time, lease deadline, or dead-letter time (Unix ms).</param>
/// <param name="Bytes">The envelope (pending, in flight; empty when missing) or the dead-letter record.</param>
/// <param name="Owner">The lease owner of an in-flight task, or <see langword="null"/>.</param>
internal sealed record TaskRecord(string TaskId, ScheduledTaskState State, long Score, ReadOnlyMemory<byte> Bytes, string? Owner = null)
{
    /// <summary>
    /// Its key in its listing: the task id, except for a task's earlier dead letters, which have keys of their own
    /// (<see cref="DeadLetter.TaskIdOfKey"/>).
    /// </summary>
    public string Key { get; init; } = TaskId;

    /// <summary>Its position in its listing (by the stored score, which pages the listing, and its key).</summary>
    public TaskPosition Position => new(Score, Key);

    /// <summary>
    /// The time an operator sees (Unix ms): <see cref="Score"/>, except for a pending task that waits for flow control,
    /// whose stored score is shifted beyond every due time (see <see cref="Waiting"/>) and whose due time this is.
    /// </summary>
    public long Time { get; init; } = Score;

    /// <summary>Whether the pending task is due and waits for flow control (its handler paused or at its limit).</summary>
    public bool Waiting { get; init; }
}

/// <summary>The result of <see cref="IOperationsSource.ScanRecurringAsync"/>.</summary>
/// <param name="Items">The schedules read.</param>
/// <param name="NextCursor">Where to go on, or <see langword="null"/> when the source has no more.</param>
internal sealed record RecurringScan(IReadOnlyList<RecurringRecord> Items, string? NextCursor);

/// <summary>A recurring schedule as a source reads it.</summary>
/// <param name="ScheduleId">The schedule id.</param>
/// <param name="Definition">The encoded definition.</param>
/// <param name="WatermarkMilliseconds">The latest occurrence added (or the creation time), or <see langword="null"/> when unknown.</param>
/// <param name="PendingTaskId">The task id of its pending occurrence, or <see langword="null"/>.</param>
/// <param name="PendingDueMilliseconds">That occurrence's due time, or <see langword="null"/> when it is not pending any more.</param>
internal sealed record RecurringRecord(string ScheduleId, ReadOnlyMemory<byte> Definition, long? WatermarkMilliseconds, string? PendingTaskId, long? PendingDueMilliseconds);

/// <summary>The name this process gives its leases: <c>{machine}-{process id}</c>, shown as an in-flight task's owner.</summary>
internal static class LeaseOwnerName
{
    /// <summary>This process's name.</summary>
    public static string Current { get; } = Create();

    private static string Create()
    {
        var machine = new string(Environment.MachineName.Where(c => TaskIds.IsValid(c.ToString())).ToArray());
        return $"{(machine.Length == 0 ? "host" : machine)}-{Environment.ProcessId}";
    }
}
