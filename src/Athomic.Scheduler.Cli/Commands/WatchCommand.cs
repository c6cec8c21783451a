using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic watch</c>: the counts of <c>stats</c>, read again every interval until Ctrl+C.</summary>
internal static class WatchCommand
{
    /// <summary>Moves the cursor home and clears the screen (ANSI), so each refresh redraws in place.</summary>
    private const string ClearScreen = "\u001b[H\u001b[2J";

    public static Command Create(CommandRunner runner)
    {
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between refreshes (at least 0.1)",
            HelpName = "seconds",
            DefaultValueFactory = _ => 2,
        };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < 0.1 or > 86_400)
            {
                r.AddError("--interval must be between 0.1 and 86400 seconds.");
            }
        });
        var iterations = new Option<int>("--iterations")
        {
            Description = "Stop after this many refreshes (default: until Ctrl+C)",
            HelpName = "n",
        };
        iterations.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError("--iterations must not be negative.");
            }
        });
        var command = new Command("watch", "Live counts per partition, refreshed until Ctrl+C (with --json: one JSON line per refresh)") { interval, iterations };
        runner.Connect(command, async (context, session, ct) =>
        {
            var every = TimeSpan.FromSeconds(context.Get(interval));
            var limit = context.Get(iterations);
            try
            {
                for (var i = 1; limit == 0 || i <= limit; i++)
                {
                    var stats = await StatsCommand.ReadAsync(session, ct).ConfigureAwait(false);
                    if (context.Json)
                    {
                        CliJson.Write(context.Out, stats, oneLine: true);
                    }
                    else
                    {
                        if (context.Environment.Interactive)
                        {
                            context.Out.Write(ClearScreen);
                        }
                        else if (i > 1)
                        {
                            context.Out.WriteLine();
                        }

                        StatsCommand.Write(context, stats);
                        if (context.Environment.Interactive)
                        {
                            context.Out.WriteLine($"every {Format.Duration(every)}; Ctrl+C to stop");
                        }
                    }

                    await context.Out.FlushAsync(ct).ConfigureAwait(false);
                    if (limit == 0 || i < limit)
                    {
                        await Task.Delay(every, ct).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C is how watch ends.
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
