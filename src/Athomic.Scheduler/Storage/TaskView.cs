using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Storage;

/// <summary>Turns what a source read (<see cref="TaskRecord"/>) into what an operator sees (<see cref="TaskDetails"/>), decoding the stored bytes once.</summary>
internal static class TaskView
{
    /// <summary>The handler of a stored task, or an empty string when its bytes cannot be read.</summary>
    public static string HandlerOf(TaskRecord record) => Details(record, 0).Summary.Handler;

    /// <summary>The task with its payload, as partition <paramref name="partition"/> holds it.</summary>
    public static TaskDetails Details(TaskRecord record, int partition)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(record.Time);
        if (record.State == ScheduledTaskState.DeadLetter)
        {
            var letter = DeadLetter.DecodeOrRaw(record.TaskId, record.Bytes);
            var dead = letter.TryReadTask();
            var summary = new TaskSummary(record.TaskId, record.State, dead?.Handler ?? string.Empty, letter.Attempts, dead?.Payload.Length ?? 0, partition)
            {
                LastError = letter.Reason,
                FailedAt = at,
            };
            return new TaskDetails(summary, dead?.Payload ?? default);
        }

        GenericTask? task = null;
        string? error = null;
        try
        {
            task = TaskEnvelope.Read(record.Bytes);
        }
        catch (TaskEnvelopeException ex)
        {
            error = record.Bytes.IsEmpty ? "The task's envelope is missing." : ex.Message;
        }

        var pending = record.State == ScheduledTaskState.Pending;
        return new TaskDetails(
            new TaskSummary(record.TaskId, record.State, task?.Handler ?? string.Empty, task?.Attempt ?? 0, task?.Payload.Length ?? 0, partition)
            {
                DueAt = pending ? at : null,
                IsWaiting = pending && record.Waiting,
                LeaseDeadline = pending ? null : at,
                Owner = record.Owner,
                LastError = error,
            },
            task?.Payload ?? default);
    }
}
