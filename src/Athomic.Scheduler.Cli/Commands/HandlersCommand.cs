using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>
/// <c>athomic handlers</c>: every handler under flow control (a limit declared by a running worker, or paused) with its
/// limits, slots in use, starts in the rate window, waiting tasks and paused state, as a table that fits 80 columns or
/// as JSON (which also has each handler's priority).
/// </summary>
internal static class HandlersCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("handlers", "Handlers under flow control: limits, slots in use, starts in the rate window, waiting tasks, paused state");
        runner.Connect(command, async (context, session, ct) =>
        {
            var handlers = await session.Operations.ListHandlersAsync(ct).ConfigureAwait(false);
            var list = new HandlerListJson { Items = [.. handlers.Select(TaskViews.Of)] };
            if (context.Json)
            {
                CliJson.Write(context.Out, list);
                return ExitCodes.Ok;
            }

            context.WriteTable(TableOf(list), "no handler declares a concurrency or rate limit, and none is paused.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Table TableOf(HandlerListJson list)
    {
        var table = new Table(
            new TableColumn("HANDLER", Shrinks: true),
            new TableColumn("STATE"),
            new TableColumn("MAX", AlignRight: true),
            new TableColumn("PER KEY", AlignRight: true),
            new TableColumn("RATE", AlignRight: true),
            new TableColumn("SLOTS", AlignRight: true),
            new TableColumn("STARTS", AlignRight: true),
            new TableColumn("WAITING", AlignRight: true),
            new TableColumn("TIMEOUT", AlignRight: true));
        foreach (var h in list.Items)
        {
            var rated = h.RateLimit > 0 && h.RateLimitWindowSeconds is not null;
            table.Add(
                h.Handler,
                h.Paused ? "paused" : "active",
                Limit(h.MaxConcurrency),
                Limit(h.MaxConcurrencyPerKey),
                rated ? $"{Format.Count(h.RateLimit)}/{Format.Duration(TimeSpan.FromSeconds(h.RateLimitWindowSeconds!.Value))}" : "-",
                Format.Count(h.SlotsInUse),
                rated ? Format.Count(h.StartsInWindow) : "-",
                Format.Count(h.Waiting),
                h.TimeoutSeconds is { } timeout ? Format.Duration(TimeSpan.FromSeconds(timeout)) : "-");
        }

        return table;
    }

    private static string Limit(int value) => value > 0 ? Format.Count(value) : "-";
}
