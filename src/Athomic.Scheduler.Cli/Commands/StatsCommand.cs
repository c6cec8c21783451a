using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic stats</c>: the counts of every partition and in all.</summary>
internal static class StatsCommand
{
    public static Command Create(CommandRunner runner)
    {
        var command = new Command("stats", "Counts per partition: pending, in flight, dead letters, recurring schedules, next due time, lateness");
        runner.Connect(command, async (context, session, ct) =>
        {
            var stats = await ReadAsync(session, ct).ConfigureAwait(false);
            if (context.Json)
            {
                CliJson.Write(context.Out, stats);
            }
            else
            {
                Write(context, stats);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads the counts (one call per partition) and adds them up.</summary>
    public static async Task<StatsJson> ReadAsync(SchedulerSession session, CancellationToken ct)
    {
        var counts = await session.Operations.GetCountsAsync(ct).ConfigureAwait(false);
        var partitions = counts.Select(c => new CountsJson
        {
            Partition = c.Partition,
            Pending = c.Pending,
            InFlight = c.InFlight,
            Dead = c.DeadLetters,
            Recurring = c.Recurring,
            NextDueAt = c.NextDueAt,
            LatenessSeconds = c.Lateness.TotalSeconds,
        }).ToList();
        return new StatsJson
        {
            KeyPrefix = session.Options.KeyPrefix,
            ReadAt = counts.Count > 0 ? counts.Max(c => c.ReadAt) : DateTimeOffset.UtcNow,
            Partitions = partitions,
            Total = new CountsJson
            {
                Pending = partitions.Sum(p => p.Pending),
                InFlight = partitions.Sum(p => p.InFlight),
                Dead = partitions.Sum(p => p.Dead),
                Recurring = partitions.Sum(p => p.Recurring),
                NextDueAt = partitions.Min(p => p.NextDueAt),
                LatenessSeconds = partitions.Count > 0 ? partitions.Max(p => p.LatenessSeconds) : 0,
            },
        };
    }

    /// <summary>Writes the counts as a table: one row per partition (when there are several) and the total.</summary>
    public static void Write(CommandContext context, StatsJson stats)
    {
        var table = new Table(
            new TableColumn("PARTITION"),
            new TableColumn("PENDING", AlignRight: true),
            new TableColumn("IN FLIGHT", AlignRight: true),
            new TableColumn("DEAD", AlignRight: true),
            new TableColumn("RECURRING", AlignRight: true),
            new TableColumn("NEXT DUE (UTC)"),
            new TableColumn("LATE", AlignRight: true));
        if (stats.Partitions.Count > 1)
        {
            foreach (var p in stats.Partitions)
            {
                Add(table, p.Partition!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), p);
            }
        }

        Add(table, "total", stats.Total);
        context.Out.WriteLine($"{stats.KeyPrefix}, {stats.Partitions.Count} partition{(stats.Partitions.Count == 1 ? string.Empty : "s")}, at {Format.Time(stats.ReadAt)} UTC");
        table.Write(context.Out, context.Width);
    }

    private static void Add(Table table, string name, CountsJson c) => table.Add(
        name,
        Format.Count(c.Pending),
        Format.Count(c.InFlight),
        Format.Count(c.Dead),
        Format.Count(c.Recurring),
        Format.Time(c.NextDueAt),
        c.LatenessSeconds > 0 ? Format.Duration(TimeSpan.FromSeconds(c.LatenessSeconds)) : "-");
}
