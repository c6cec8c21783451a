using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic show ID</c>: one task (pending or in flight) or dead letter, with its payload as JSON.</summary>
internal static class ShowCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("The task id (or dead letter id)");
        var command = new Command("show", "Show one task or dead letter: state, handler, attempt, due time, payload (decoded from MessagePack), last error") { id };
        runner.Connect(command, async (context, session, ct) =>
        {
            var taskId = context.Get(id)!;
            var details = await session.Operations.GetTaskAsync(taskId, ct).ConfigureAwait(false);
            if (details is null)
            {
                context.Fail($"no task or dead letter with id '{taskId}'.");
                return ExitCodes.NotFound;
            }

            var view = TaskViews.Of(details);
            if (context.Json)
            {
                CliJson.Write(context.Out, view);
            }
            else
            {
                Write(context.Out, view, DateTimeOffset.UtcNow, context.Width);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the details, one "name: value" each, only those the task has; a long value wraps under itself.</summary>
    internal static void Write(TextWriter output, TaskJson view, DateTimeOffset now, int width)
    {
        var lines = new List<(string Name, string? Value)>
        {
            ("id", view.Id),
            ("state", view.Waiting == true ? view.State + ", waiting for a slot (handler paused or at its limit)" : view.State),
            ("handler", view.Handler),
            ("attempt", view.Attempt?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("partition", view.Partition?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("due", view.DueAt is { } due ? $"{Format.Time(due)} UTC ({Format.Relative(due, now)})" : null),
            ("lease until", view.LeaseDeadline is { } lease ? $"{Format.Time(lease)} UTC ({Format.Relative(lease, now)})" : null),
            ("owner", view.Owner),
            ("schedule", view.Schedule),
            ("next", view.NextOccurrence is { } next ? $"{Format.Time(next)} UTC ({Format.Relative(next, now)})" : null),
            ("failed", view.FailedAt is { } failed ? $"{Format.Time(failed)} UTC ({Format.Relative(failed, now)})" : null),
            ("reason", view.Reason),
            ("payload", view.PayloadBytes is not { } bytes ? null
                : bytes == 0 ? "(none)"
                : view.Payload is { } json ? $"{json.GetRawText()} ({bytes} bytes)"
                : view.PayloadBase64 is { } base64 ? $"base64 {base64} ({bytes} bytes, not shown as JSON: {view.PayloadProblem})"
                : $"({bytes} bytes, unreadable)"),
        };
        foreach (var (name, value) in lines.Where(l => l.Value is not null))
        {
            var label = $"{name + ":",-Indent}";
            foreach (var part in Wrap(value!, Math.Max(20, width - Indent)))
            {
                output.WriteLine(label + part);
                label = new string(' ', Indent);
            }
        }
    }

    private const int Indent = 13;

    /// <summary>Cuts <paramref name="text"/> into lines of at most <paramref name="width"/>, after a space where there is one.</summary>
    private static IEnumerable<string> Wrap(string text, int width)
    {
        text = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
        while (text.Length > width)
        {
            var cut = text.LastIndexOf(' ', width);
            cut = cut > width / 2 ? cut + 1 : width;
            yield return text[..cut].TrimEnd();
            text = text[cut..];
        }

        yield return text;
    }
}
