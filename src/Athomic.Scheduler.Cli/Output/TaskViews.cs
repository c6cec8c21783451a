using System.Text.Json;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>Turns the library's records into what <c>--json</c> prints.</summary>
internal static class TaskViews
{
    public static TaskJson Of(ScheduledTaskInfo info) => WithPayload(
        new TaskJson
        {
            Id = info.Task.TaskId,
            State = info.State == ScheduledTaskState.Pending ? "pending" : "inflight",
            Handler = info.Task.Handler,
            Attempt = info.Task.Attempt,
            DueAt = info.Task.DueAt,
        },
        info.Task.Payload);

    public static TaskJson Of(DeadLetter letter, bool payload)
    {
        var task = letter.TryReadTask();
        var json = new TaskJson
        {
            Id = letter.TaskId,
            State = "dead",
            Handler = task?.Handler,
            Attempt = letter.Attempts,
            Reason = letter.Reason,
            FailedAt = letter.FailedAt,
        };
        return payload && task is not null ? WithPayload(json, task.Payload) : json;
    }

    /// <summary>Adds the payload: decoded from MessagePack when it decodes, otherwise its bytes in base64.</summary>
    public static TaskJson WithPayload(TaskJson json, ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return json with { PayloadBytes = 0 };
        }

        if (Format.PayloadJson(payload) is { } text)
        {
            using var document = JsonDocument.Parse(text);
            return json with { PayloadBytes = payload.Length, Payload = document.RootElement.Clone() };
        }

        return json with { PayloadBytes = payload.Length, PayloadBase64 = Convert.ToBase64String(payload.Span) };
    }
}
