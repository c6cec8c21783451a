using System.CommandLine;
using System.Globalization;
using Athomic.Scheduler.Cli.Output;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>
/// <c>athomic list pending|inflight|dead|recurring</c>: one page, as a table or JSON. A pending task that waits for flow
/// control is marked <c>waiting</c> after its due time (and listed after the others).
/// </summary>
internal static class ListCommand
{
    /// <summary>
    /// How many calls one page may take: a filtered listing looks at a bounded number of entries per call and may
    /// return fewer than asked, so the tool asks again for the rest, up to this many times, then prints the cursor.
    /// </summary>
    private const int MaxCallsPerPage = 10;

    public static Command Create(CommandRunner runner) => new("list", "List pending tasks, in-flight tasks, dead letters or recurring schedules")
    {
        Tasks(runner, "pending", ScheduledTaskState.Pending, "Pending tasks, the soonest due first"),
        Tasks(runner, "inflight", ScheduledTaskState.InFlight, "Tasks claimed by a worker, with their lease deadline and owner, the soonest expiring first"),
        Tasks(runner, "dead", ScheduledTaskState.DeadLetter, "Dead letters, the newest first, with the last error"),
        Recurring(runner),
    };

    private static Command Tasks(CommandRunner runner, string name, ScheduledTaskState state, string description)
    {
        var limit = Arguments.Limit();
        var cursor = Cursor();
        var handler = Handler();
        var prefix = new Option<string?>("--prefix") { Description = "Only tasks whose id starts with this", HelpName = "id-prefix" };
        var command = new Command(name, description) { limit, cursor, handler, prefix };
        runner.Connect(command, async (context, session, ct) =>
        {
            var query = new TaskQuery(state) { Handler = context.Get(handler), IdPrefix = context.Get(prefix) };
            var (items, next) = await PageAsync(context.Get(limit), context.Get(cursor), async (c, n) =>
            {
                var page = await session.Operations.ListTasksAsync(query with { Cursor = c, Limit = n }, ct).ConfigureAwait(false);
                return (page.Items.Select(TaskViews.Of).ToList(), page.NextCursor);
            }).ConfigureAwait(false);
            var counts = await session.Operations.GetCountsAsync(ct).ConfigureAwait(false);
            var total = state switch
            {
                ScheduledTaskState.Pending => counts.Sum(c => c.Pending),
                ScheduledTaskState.InFlight => counts.Sum(c => c.InFlight),
                _ => counts.Sum(c => c.DeadLetters),
            };
            var filtered = query.Handler is not null || query.IdPrefix is not null;
            return Write(context, new PageJson { Kind = name, Items = items, Total = total, NextCursor = next }, filtered);
        });
        return command;
    }

    private static Command Recurring(CommandRunner runner)
    {
        var limit = Arguments.Limit();
        var cursor = Cursor();
        var handler = Handler();
        var command = new Command("recurring", "Recurring schedules with their next occurrence") { limit, cursor, handler };
        runner.Connect(command, async (context, session, ct) =>
        {
            var only = context.Get(handler);
            var (items, next) = await PageAsync(context.Get(limit), context.Get(cursor), async (c, n) =>
            {
                var page = await session.Operations.ListRecurringAsync(c, n, ct).ConfigureAwait(false);
                return (page.Items.Where(r => only is null || r.Handler == only).Select(TaskViews.Of).ToList(), page.NextCursor);
            }).ConfigureAwait(false);
            var total = (await session.Operations.GetCountsAsync(ct).ConfigureAwait(false)).Sum(c => c.Recurring);
            return Write(context, new PageJson { Kind = "recurring", Items = items, Total = total, NextCursor = next }, only is not null);
        });
        return command;
    }

    /// <summary>Fills one page of up to <paramref name="limit"/> items from as many calls as it takes (at most <see cref="MaxCallsPerPage"/>).</summary>
    private static async Task<(List<TaskJson> Items, string? Next)> PageAsync(
        int limit, string? cursor, Func<string?, int, Task<(List<TaskJson> Items, string? Next)>> fetch)
    {
        var items = new List<TaskJson>();
        for (var call = 0; call < MaxCallsPerPage; call++)
        {
            var (page, next) = await fetch(cursor, limit - items.Count).ConfigureAwait(false);
            items.AddRange(page);
            cursor = next;
            if (cursor is null || items.Count >= limit)
            {
                break;
            }
        }

        return (items, cursor);
    }

    private static Option<string?> Cursor() => new("--cursor")
    {
        Description = "Continue where the previous page ended (the cursor it printed)",
        HelpName = "cursor",
    };

    private static Option<string?> Handler() => new("--handler")
    {
        Description = "Only this handler (exact name)",
        HelpName = "name",
    };

    /// <summary>Writes the page as JSON, or as a table followed by the counts and the next cursor.</summary>
    private static int Write(CommandContext context, PageJson page, bool filtered)
    {
        if (context.Json)
        {
            CliJson.Write(context.Out, page);
            return ExitCodes.Ok;
        }

        var noun = Noun(page.Kind);
        context.WriteTable(TableOf(page), page.NextCursor is null ? $"no {(filtered ? "matching " : string.Empty)}{noun}." : $"none on this page.");
        var footer = filtered
            ? $"{Format.Count(page.Items.Count)} shown ({Format.Count(page.Total ?? 0)} {noun} in all)"
            : $"{Format.Count(page.Items.Count)} of {Format.Count(page.Total ?? 0)} {noun}";
        if (page.Items.Count > 0 || page.NextCursor is not null)
        {
            context.Out.WriteLine(footer);
        }

        if (page.NextCursor is { } next)
        {
            // A line of its own: a cursor holds a task id, which can be long and is never cut.
            context.Out.WriteLine($"next page: --cursor {next}");
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
        TableColumn id = new("ID", Shrinks: true), handler = new("HANDLER", Shrinks: true), attempt = new("ATT", AlignRight: true);
        Table table;
        switch (page.Kind)
        {
            case "pending":
                table = new Table(id, handler, new("DUE (UTC)"), attempt);
                page.Items.ToList().ForEach(t => table.Add(t.Id, t.Handler ?? "?", Format.Time(t.DueAt) + (t.Waiting == true ? " waiting" : string.Empty), Number(t.Attempt)));
                break;
            case "inflight":
                table = new Table(id, handler, new("LEASE UNTIL (UTC)"), new("OWNER", Shrinks: true), attempt);
                page.Items.ToList().ForEach(t => table.Add(t.Id, t.Handler ?? "?", Format.Time(t.LeaseDeadline), t.Owner ?? "?", Number(t.Attempt)));
                break;
            case "dead":
                table = new Table(id, handler, new("FAILED (UTC)"), attempt, new("REASON", Shrinks: true, MinWidth: 10));
                page.Items.ToList().ForEach(t => table.Add(t.Id, t.Handler ?? "?", Format.Time(t.FailedAt), Number(t.Attempt), Format.ShortReason(t.Reason)));
                break;
            default:
                table = new Table(id, handler, new("SCHEDULE", Shrinks: true, MinWidth: 10), new("NEXT (UTC)"));
                page.Items.ToList().ForEach(t => table.Add(t.Id, t.Handler ?? "?", t.Schedule ?? t.Reason, Format.Time(t.NextOccurrence)));
                break;
        }

        return table;
    }

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
