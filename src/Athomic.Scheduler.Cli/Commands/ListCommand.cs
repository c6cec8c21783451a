using System.CommandLine;
using System.Globalization;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic list pending|inflight|dead|recurring</c>: one page, as a table or JSON.</summary>
internal static class ListCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("list", "List pending tasks, in-flight tasks, dead letters or recurring schedules");
        command.Add(Dead(runner));
        return command;
    }

    private static Command Dead(CommandRunner runner)
    {
        var limit = Arguments.Limit();
        var cursor = Cursor();
        var command = new Command("dead", "Dead letters, newest first") { limit, cursor };
        runner.Connect(command, async (context, session, ct) =>
        {
            var offset = ParseOffset(context.Get(cursor));
            var page = await session.DeadLetters.ListAsync(offset, context.Get(limit), ct).ConfigureAwait(false);
            var next = offset + page.Items.Count < page.Total && page.Items.Count > 0
                ? (offset + page.Items.Count).ToString(CultureInfo.InvariantCulture)
                : null;
            var items = page.Items.Select(l => TaskViews.Of(l, payload: false)).ToList();
            return Write(context, new PageJson { Kind = "dead", Items = items, Total = page.Total, NextCursor = next });
        });
        return command;
    }

    private static Option<string?> Cursor() => new("--cursor")
    {
        Description = "Continue after the previous page (the cursor it printed)",
        HelpName = "cursor",
    };

    private static int ParseOffset(string? cursor) =>
        cursor is null ? 0
        : int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset
        : throw new UsageException($"'{cursor}' is not a cursor of this list.");

    /// <summary>Writes the page as JSON, or as a table followed by the total and the next cursor.</summary>
    internal static int Write(CommandContext context, PageJson page)
    {
        if (context.Json)
        {
            CliJson.Write(context.Out, page);
            return ExitCodes.Ok;
        }

        var table = TableOf(page);
        context.WriteTable(table, $"no {Noun(page.Kind)}.");
        var footer = new List<string>();
        if (page.Total is { } total)
        {
            footer.Add($"{Format.Count(page.Items.Count)} of {Format.Count(total)} {Noun(page.Kind)}");
        }

        if (page.NextCursor is { } next)
        {
            footer.Add($"next page: --cursor {next}");
        }

        if (footer.Count > 0 && page.Items.Count > 0)
        {
            context.Out.WriteLine(string.Join("; ", footer));
        }

        return ExitCodes.Ok;
    }

    private static string Noun(string kind) => kind switch
    {
        "pending" => "pending tasks",
        "inflight" => "tasks in flight",
        "dead" => "dead letters",
        _ => "recurring schedules",
    };

    private static Table TableOf(PageJson page)
    {
        var attempt = new TableColumn("ATT", AlignRight: true);
        switch (page.Kind)
        {
            case "dead":
            {
                var table = new Table(new("ID", Shrinks: true), new("HANDLER", Shrinks: true), new("FAILED (UTC)"), attempt, new("REASON", Shrinks: true, MinWidth: 10));
                foreach (var t in page.Items)
                {
                    table.Add(t.Id, t.Handler ?? "?", Format.Time(t.FailedAt), Number(t.Attempt), t.Reason);
                }

                return table;
            }

            default:
                throw new InvalidOperationException("Unknown list " + page.Kind);
        }
    }

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
