using System.Globalization;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// Per row: the mean of each side's runs (with their relative standard deviation), the change of head's mean against
/// base's, and the spread of the change within a round (head's run against base's run of the same round, made next to
/// it): its smallest and largest, and a 95 % interval of its mean (Student's t over the rounds).
/// </summary>
internal static class CompareTable
{
    // Student's t, two-sided 95 %, for 1 to 30 degrees of freedom; 1.96 beyond.
    private static readonly double[] T95 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    public static void Print(BenchSide baseSide, BenchSide headSide)
    {
        var names = headSide.Runs.Concat(baseSide.Runs).SelectMany(run => run.Select(r => r.Name)).Distinct().ToList();
        var lines = new List<string[]> { new[] { "row", "unit", "base mean ±sd", "head mean ±sd", "head vs base", "per round min..max", "95% interval" } };
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
            lines.Add([
                name,
                unit,
                $"{Number(baseMean)} ±{Sd(b, baseMean)}",
                $"{Number(headMean)} ±{Sd(h, headMean)}",
                baseMean == 0 ? "n/a" : Percent(headMean / baseMean - 1),
                perRound.Count == 0 ? "n/a" : $"{Percent(perRound.Min())} .. {Percent(perRound.Max())}",
                Interval(perRound),
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
        Console.WriteLine("per round: head's run / base's run of the same round (made one after the other) - 1; 95% interval: of the mean of those");
        Console.WriteLine("  (Student's t); an interval that holds 0 tells no change apart from the noise, and on a shared machine one that");
        Console.WriteLine("  does not can still be noise (the rounds are not independent of the neighbours' load): repeat before believing it.");
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

    private static string Interval(List<double> perRound)
    {
        if (perRound.Count < 2)
        {
            return "n/a";
        }

        var mean = perRound.Average();
        var half = (perRound.Count - 1 <= T95.Length ? T95[perRound.Count - 2] : 1.96) * StandardDeviation(perRound, mean) / Math.Sqrt(perRound.Count);
        return $"{Percent(mean - half)} .. {Percent(mean + half)}";
    }

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

        return (StandardDeviation(present, mean) / Math.Abs(mean)).ToString("P1", CultureInfo.InvariantCulture).Replace(" ", string.Empty, StringComparison.Ordinal);
    }

    private static double StandardDeviation(List<double> values, double mean) =>
        Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));

    private static string Percent(double change) =>
        (change >= 0 ? "+" : string.Empty) + change.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", string.Empty, StringComparison.Ordinal);
}
