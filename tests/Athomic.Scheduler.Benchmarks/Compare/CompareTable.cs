using System.Globalization;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// Per row: the mean of each side's runs (with their relative standard deviation), the change of head's mean against
/// base's, and the spread of the change within a round (head's run against base's run of the same round, made next to it).
/// </summary>
internal static class CompareTable
{
    public static void Print(BenchSide baseSide, BenchSide headSide)
    {
        var names = headSide.Runs.Concat(baseSide.Runs).SelectMany(run => run.Select(r => r.Name)).Distinct().ToList();
        var lines = new List<string[]> { new[] { "row", "unit", "base mean ±sd", "head mean ±sd", "head vs base", "per round min..max" } };
        var onlyOneSide = new List<string>();
        foreach (var name in names)
        {
            var b = Values(baseSide, name);
            var h = Values(headSide, name);
            if (b.All(v => v is null) || h.All(v => v is null))
            {
                onlyOneSide.Add($"{name} (only {(b.All(v => v is null) ? headSide.Name : baseSide.Name)})");
                continue;
            }

            var unit = headSide.Runs.SelectMany(run => run).First(r => r.Name == name).Unit;
            var baseMean = Mean(b);
            var headMean = Mean(h);
            var perRound = b.Zip(h, (x, y) => x is > 0 && y is { } hv ? hv / x.Value - 1 : (double?)null).OfType<double>().ToList();
            var agree = perRound.Count > 1 && (perRound.All(c => c > 0) || perRound.All(c => c < 0));
            lines.Add([
                name,
                unit,
                $"{Number(baseMean)} ±{Sd(b, baseMean)}",
                $"{Number(headMean)} ±{Sd(h, headMean)}",
                baseMean == 0 ? "n/a" : Percent(headMean / baseMean - 1),
                perRound.Count == 0 ? "n/a" : $"{Percent(perRound.Min())} .. {Percent(perRound.Max())}{(agree ? " *" : string.Empty)}",
            ]);
        }

        var widths = Enumerable.Range(0, lines[0].Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        Console.WriteLine();
        for (var i = 0; i < lines.Count; i++)
        {
            Console.WriteLine("| " + string.Join(" | ", lines[i].Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))) + " |");
            if (i == 0)
            {
                Console.WriteLine("|" + string.Join("|", widths.Select((w, c) => c < 2 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
            }
        }

        Console.WriteLine();
        Console.WriteLine("head vs base: head's mean / base's mean - 1; + means head's number is higher (/s: faster; µs, B, ms: more).");
        Console.WriteLine("per round: head's run against base's run of the same round (made one after the other); * every round moved the same way.");
        Console.WriteLine($"±sd: standard deviation of the {baseSide.Runs.Count} runs of a side, relative to their mean.");
        if (onlyOneSide.Count > 0)
        {
            Console.WriteLine("on one side only: " + string.Join("; ", onlyOneSide));
        }
    }

    /// <summary>A measured number as the table shows it: 41,234 / 23.5 / 0.20.</summary>
    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 100 => value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("N1", CultureInfo.InvariantCulture),
        _ => value.ToString("N2", CultureInfo.InvariantCulture),
    };

    private static List<double?> Values(BenchSide side, string name) =>
        side.Runs.Select(run => run.Where(r => r.Name == name).Select(r => (double?)r.Value).FirstOrDefault()).ToList();

    private static double Mean(List<double?> values) => values.OfType<double>().Average();

    private static string Sd(List<double?> values, double mean)
    {
        var present = values.OfType<double>().ToList();
        if (present.Count < 2 || mean == 0)
        {
            return "n/a";
        }

        var sd = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Count - 1));
        return (sd / Math.Abs(mean)).ToString("P1", CultureInfo.InvariantCulture).Replace(" ", string.Empty, StringComparison.Ordinal);
    }

    private static string Percent(double change) =>
        (change >= 0 ? "+" : string.Empty) + change.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", string.Empty, StringComparison.Ordinal);
}
