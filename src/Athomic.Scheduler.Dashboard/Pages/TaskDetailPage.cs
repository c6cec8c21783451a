using System.Text.Encodings.Web;
using System.Text.Json;
using Athomic.Scheduler.Dashboard.Rendering;
using Athomic.Scheduler.Dashboard.Routing;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Dashboard.Pages;

/// <summary>
/// One task, pending, in flight or dead-lettered: handler, attempt, times, last error, and the payload decoded from
/// MessagePack to JSON without resolving any type (<see cref="TaskDetails.TryPayloadToJson"/>), with the actions its state allows.
/// </summary>
internal static class TaskDetailPage
{
    /// <summary>Payloads larger than this are not decoded on the page (their size is shown).</summary>
    internal const int MaxDecodedPayload = 64 * 1024;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<IResult> RenderAsync(DashboardRequest request)
    {
        var id = request.Query("id");
        if (id is null)
        {
            return Layout.Message(request, "Task", "Give a task id to open.", StatusCodes.Status400BadRequest);
        }

        if (!TaskIds.IsValid(id))
        {
            // The library would refuse it (ArgumentException): say what an id is instead of failing with a 500.
            return Layout.Message(request, "Task", $"“{Format.Truncate(id, 80)}” is not a valid task id: a task id is 1 to {TaskIds.MaxLength} characters, " +
                "with no whitespace, control characters, '{', '}' or '*'.", StatusCodes.Status400BadRequest,
                Layout.ButtonLink(request.Url("pending"), "Pending tasks"));
        }

        var details = await request.Http.RequestServices.GetRequiredService<ISchedulerOperations>().GetTaskAsync(id, request.Aborted);
        if (details is null)
        {
            return Layout.Message(request, "Task " + id, $"There is no task {id}: it may have run, been cancelled, requeued or purged.", StatusCodes.Status404NotFound,
                Layout.ButtonLink(request.Url("pending"), "Pending tasks"));
        }

        var task = details.Summary;
        var html = new HtmlWriter();
        html.Append($"""
            <dl class="facts" id="task">
            <dt>Task id</dt><dd class="id">{task.TaskId}</dd>
            <dt>State</dt><dd><span class="state {task.State.ToString().ToLowerInvariant()}">{StateLabel(task.State)}</span>{(task.IsWaiting ? WaitingNote(request) : Markup.Empty)}</dd>
            <dt>Handler</dt><dd>{(task.Handler.Length > 0 ? task.Handler : "(unreadable)")}</dd>
            <dt>Attempt</dt><dd>{task.Attempt}</dd>
            """);
        if (task.DueAt is { } due)
        {
            html.Append($"<dt>Due</dt><dd>{Layout.Time(request, due)}</dd>");
        }

        if (task.LeaseDeadline is { } lease)
        {
            html.Append($"<dt>Lease deadline</dt><dd>{Layout.Time(request, lease)}</dd><dt>Owner</dt><dd>{task.Owner ?? "unknown"}</dd>");
        }

        if (task.FailedAt is { } failed)
        {
            html.Append($"<dt>Dead-lettered</dt><dd>{Layout.Time(request, failed)}</dd>");
        }

        html.Append($"""
            <dt>Partition</dt><dd>{task.Partition}</dd>
            <dt>Payload</dt><dd>{Format.Bytes(task.PayloadSize)}</dd>
            <dt>Last error</dt><dd>{(task.LastError is { } error ? HtmlWriter.Of($"<pre class=\"error\">{error}</pre>") : new Markup("<span class=\"muted\">none recorded (the error of a retried attempt is not stored)</span>"))}</dd>
            </dl>
            <h2>Payload</h2>
            {Payload(details)}
            {Actions(request, task)}
            """);
        return Layout.Page(request, SectionOf(task.State), "Task " + task.TaskId, html.ToMarkup());
    }

    /// <summary>The payload as indented JSON (<see cref="TaskDetails.TryPayloadToJson"/>), or why it cannot be shown.</summary>
    internal static Markup Payload(TaskDetails details)
    {
        var payload = details.Payload;
        if (payload.IsEmpty)
        {
            return new Markup("""<p class="muted">No payload.</p>""");
        }

        if (payload.Length > MaxDecodedPayload)
        {
            return HtmlWriter.Of($"""<p class="muted">The payload is {Format.Bytes(payload.Length)}: larger than the {Format.Bytes(MaxDecodedPayload)} the page decodes.</p>""");
        }

        if (details.TryPayloadToJson(out var json, out var problem, MaxDecodedPayload))
        {
            return HtmlWriter.Of($"""<pre class="json" id="payload">{Indent(json)}</pre>""");
        }

        var head = Convert.ToHexString(payload.Span[..Math.Min(payload.Length, 64)]);
        return HtmlWriter.Of($"""<p class="notice" id="payload-problem">The payload cannot be shown as JSON. {problem} First bytes: <code>{head}</code></p>""");
    }

    /// <summary>Re-indents the compact JSON; text that System.Text.Json cannot parse stays as it is.</summary>
    private static string Indent(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, Indented))
            {
                document.WriteTo(writer);
            }

            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static Markup Actions(DashboardRequest request, TaskSummary task)
    {
        if (request.Options.ReadOnly)
        {
            return Markup.Empty;
        }

        Markup Confirm(string action, string label, string kind = "") =>
            Layout.ButtonLink(request.Url("confirm", ("action", action), ("id", task.TaskId)), label, kind);

        return task.State switch
        {
            // A waiting task is due already: "run now" would not move it ahead of its handler's limit or pause.
            ScheduledTaskState.Pending when task.IsWaiting => HtmlWriter.Of($"""<p class="actions">{Confirm(DashboardAction.Cancel, "Cancel…", "danger")}</p>"""),
            ScheduledTaskState.Pending => HtmlWriter.Of($"""<p class="actions">{Confirm(DashboardAction.RunNow, "Run now…")} {Confirm(DashboardAction.Cancel, "Cancel…", "danger")}</p>"""),
            ScheduledTaskState.DeadLetter => HtmlWriter.Of($"""<p class="actions">{Confirm(DashboardAction.Requeue, "Requeue…")} {Confirm(DashboardAction.Purge, "Purge…", "danger")}</p>"""),
            _ => new Markup("""<p class="muted">A task in flight cannot be cancelled: it runs to its end (a version scheduled meanwhile waits for it).</p>"""),
        };
    }

    /// <summary>The mark of a pending task that waits for flow control (<see cref="TaskSummary.IsWaiting"/>).</summary>
    internal static Markup WaitingBadge { get; } = new(
        """ <span class="state waiting" title="Due, and held back by flow control: its handler is paused or at its concurrency or rate limit. It runs when a slot frees or the handler is resumed.">waiting for a slot</span>""");

    private static Markup WaitingNote(DashboardRequest request) => HtmlWriter.Of(
        $"""{WaitingBadge} <span class="muted">due, and held back: its handler is paused or at its limit (see <a href="{request.Url("handlers")}">Handlers</a>)</span>""");

    internal static string StateLabel(ScheduledTaskState state) => state switch
    {
        ScheduledTaskState.Pending => "pending",
        ScheduledTaskState.InFlight => "in flight",
        ScheduledTaskState.DeadLetter => "dead letter",
        _ => state.ToString(),
    };

    private static Section SectionOf(ScheduledTaskState state) => state switch
    {
        ScheduledTaskState.Pending => Section.Pending,
        ScheduledTaskState.InFlight => Section.InFlight,
        ScheduledTaskState.DeadLetter => Section.DeadLetters,
        _ => Section.None,
    };
}
