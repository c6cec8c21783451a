using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Execution;

/// <summary>What every lease owner does the same way when a lease ends: the records it writes, its metrics and logs.</summary>
internal static class LeaseOutcome
{
    /// <summary>The envelope of the task's next attempt.</summary>
    public static byte[] NextAttempt(GenericTask task) => TaskEnvelope.Write(task.WithExecution(task.Attempt + 1, null));

    /// <summary>The dead-letter record of a readable task.</summary>
    public static byte[] DeadLetterRecord(GenericTask task, string reason, TimeProvider time) =>
        new DeadLetter(task.TaskId, TaskEnvelope.Write(task), reason, task.Attempt, time.GetUtcNow()).Encode();

    /// <summary>
    /// Reads a stored envelope, or says why it cannot run: details missing, unreadable or incompatible bytes, or an
    /// envelope that names another task than the one it is stored as (such a task is dead-lettered at once).
    /// </summary>
    public static bool TryRead(
        string storedId, ReadOnlyMemory<byte> envelope, DateTimeOffset? dueAt, [NotNullWhen(true)] out GenericTask? task, [NotNullWhen(false)] out string? reason)
    {
        task = null;
        if (envelope.IsEmpty)
        {
            reason = "The task's details are missing from the store.";
            return false;
        }

        try
        {
            task = TaskEnvelope.Read(envelope, dueAt);
        }
        catch (TaskEnvelopeException ex)
        {
            reason = "Unreadable envelope: " + ex.Message;
            return false;
        }

        if (!string.Equals(task.TaskId, storedId, StringComparison.Ordinal))
        {
            reason = $"Unreadable envelope: it belongs to task '{task.TaskId}' but is stored as '{storedId}'.";
            task = null;
            return false;
        }

        reason = null;
        return true;
    }

    /// <summary>The dead-letter reason of a task handed to handlers <paramref name="deliveries"/> times, none of which finished.</summary>
    public static string DeliveredTooOften(long deliveries, int maxDeliveries) =>
        $"delivered {deliveries} times without finishing: each process that ran it died or stalled past its lease or visibility timeout (Athomic:Scheduler:Execution:MaxDeliveries is {maxDeliveries})";

    /// <summary>The dead-letter record of a task that cannot be read: its bytes are kept as they were.</summary>
    public static byte[] UnreadableRecord(string taskId, ReadOnlyMemory<byte> envelope, string reason, TimeProvider time) =>
        new DeadLetter(taskId, envelope, reason, 0, time.GetUtcNow()).Encode();

    /// <summary>Runs <paramref name="end"/>; counts it when the store still held the task, logs when it did not or failed.</summary>
    /// <remarks>A failed end is logged, not thrown: the task stays claimed, its claim expires and it runs again (at least once).</remarks>
    public static async Task EndAsync(
        ILogger logger, KeyValuePair<string, object?> schedule, GenericTask task, string action, Counter<long> counter, Func<Task<bool>> end)
    {
        try
        {
            if (await end().ConfigureAwait(false))
            {
                counter.Add(1, schedule, new KeyValuePair<string, object?>("handler", task.Handler));
            }
            else
            {
                Log.LeaseLost(logger, task.TaskId, action);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LeaseEndFailed(logger, task.TaskId, action, ex);
        }
    }
}
