using System.Text.Json;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>Turns the library's records into what the tool prints.</summary>
internal static class TaskViews
{
    /// <summary>The word for a state in tables, details and JSON.</summary>
    public static string State(ScheduledTaskState state) => state switch
    {
        ScheduledTaskState.Pending => "pending",
        ScheduledTaskState.InFlight => "inflight",
        ScheduledTaskState.DeadLetter => "dead",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static TaskJson Of(TaskSummary task) => new()
    {
        Id = task.TaskId,
        State = State(task.State),
        Handler = task.Handler.Length == 0 ? null : task.Handler,
        Attempt = task.Attempt == 0 ? null : task.Attempt,
        DueAt = task.DueAt,
        Waiting = task.IsWaiting ? true : null,
        LeaseDeadline = task.LeaseDeadline,
        Owner = task.Owner,
        Partition = task.Partition,
        Reason = task.LastError,
        FailedAt = task.FailedAt,
        PayloadBytes = task.PayloadSize,
    };

    public static HandlerJson Of(HandlerFlowInfo handler) => new()
    {
        Handler = handler.Handler,
        Paused = handler.IsPaused,
        MaxConcurrency = handler.MaxConcurrency,
        MaxConcurrencyPerKey = handler.MaxConcurrencyPerKey,
        RateLimit = handler.RateLimit,
        RateLimitWindowSeconds = handler.RateLimitWindow?.TotalSeconds,
        TimeoutSeconds = handler.Timeout?.TotalSeconds,
        Priority = handler.Priority,
        SlotsInUse = handler.SlotsInUse,
        StartsInWindow = handler.StartsInWindow,
        Waiting = handler.Waiting,
    };

    public static TaskJson Of(RecurringScheduleInfo schedule) => new()
    {
        Id = schedule.ScheduleId,
        State = "recurring",
        Handler = schedule.Handler.Length == 0 ? null : schedule.Handler,
        Schedule = schedule.Schedule?.ToString(),
        NextOccurrence = schedule.NextOccurrence,
        PendingTaskId = schedule.PendingTaskId,
        Partition = schedule.Partition,
        Reason = schedule.Error,
    };

    /// <summary>The task with its payload: decoded from MessagePack when it decodes, otherwise its bytes in base64 and why.</summary>
    public static TaskJson Of(TaskDetails details)
    {
        var json = Of(details.Summary);
        if (details.Payload.IsEmpty)
        {
            return json;
        }

        if (details.TryPayloadToJson(out var text, out var problem))
        {
            using var document = JsonDocument.Parse(text);
            return json with { Payload = document.RootElement.Clone() };
        }

        return json with { PayloadBase64 = Convert.ToBase64String(details.Payload.Span), PayloadProblem = problem };
    }
}
