namespace Athomic.Scheduler.Dashboard.Metrics;

/// <summary>
/// Fixed log-scale bins for durations in seconds (1 ms × 10^(i/8): eight bins a decade, 1 ms to about 17 min, plus
/// one below and one above), so a percentile is read from counts alone, within about 15 % of the true value.
/// </summary>
internal static class LogBins
{
    public const int Count = 50;
    private const double Smallest = 0.001;
    private const double PerDecade = 8;

    /// <summary>The bin of <paramref name="seconds"/>: 0 below 1 ms, <see cref="Count"/> − 1 at the top.</summary>
    public static int Of(double seconds)
    {
        if (!(seconds > Smallest))
        {
            return 0;
        }

        var bin = 1 + (int)(Math.Log10(seconds / Smallest) * PerDecade);
        return Math.Min(bin, Count - 1);
    }

    /// <summary>A representative value of a bin: the geometric middle of its bounds.</summary>
    public static double Middle(int bin) => bin == 0 ? Smallest / 2 : Smallest * Math.Pow(10, (bin - 0.5) / PerDecade);

    /// <summary>The value below which <paramref name="quantile"/> of the counted values fall, or NaN without values.</summary>
    public static double Quantile(ReadOnlySpan<long> bins, double quantile)
    {
        long total = 0;
        foreach (var c in bins)
        {
            total += c;
        }

        if (total == 0)
        {
            return double.NaN;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < bins.Length; i++)
        {
            seen += bins[i];
            if (seen >= rank)
            {
                return Middle(i);
            }
        }

        return Middle(bins.Length - 1);
    }
}
