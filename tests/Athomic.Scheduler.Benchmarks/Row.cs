using System.Globalization;
using System.Text.RegularExpressions;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// One measured number of a report in machine-readable form: what <c>--rows-tsv</c> prints, one
/// <c>name&lt;TAB&gt;value&lt;TAB&gt;unit</c> line each (invariant culture, full precision), and what <c>--compare</c> reads back.
/// </summary>
internal readonly record struct Row(string Name, double Value, string Unit)
{
    private static readonly Regex NumberAndUnit = new(@"^(-?\d[\d,]*(?:\.\d+)?)\s*(\S*)$", RegexOptions.CultureInvariant);

    public string ToTsv() => $"{Name}\t{Value.ToString("R", CultureInfo.InvariantCulture)}\t{Unit}";

    /// <summary>Reads a line <see cref="ToTsv"/> wrote; any other line (the live "  name: value" lines, logs) is not one.</summary>
    public static bool TryParseTsv(string line, out Row row)
    {
        var fields = line.Split('\t');
        if (fields.Length == 3 && fields[0].Length > 0 && double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            row = new Row(fields[0], value, fields[2]);
            return true;
        }

        row = default;
        return false;
    }

    /// <summary>
    /// The numbers of a report row's printed value (invariant culture): "12,345 /s" and "114 B" give one row;
    /// "1.2 / 3.4 / 5.6 ms" under "lateness idle p50 / p95 / p99" gives one per percentile (the unit is the last one's);
    /// "82 ns, 96 B" gives one per unit, named "name (ns)", "name (B)". A value that is not all numbers gives none.
    /// </summary>
    public static IReadOnlyList<Row> FromText(string name, string value)
    {
        var slashed = value.Split(" / ");
        if (slashed.Length > 1)
        {
            if (!TryNumbers(slashed, out var shared))
            {
                return [];
            }

            var unit = shared[^1].Unit;
            var names = SlashedNames(name, shared.Count);
            return shared.Select((n, i) => new Row(names[i], n.Value, unit)).ToList();
        }

        if (!TryNumbers(value.Split(", "), out var listed))
        {
            return [];
        }

        if (listed.Count == 1)
        {
            return [new Row(name, listed[0].Value, listed[0].Unit)];
        }

        var distinctUnits = listed.Select(n => n.Unit).Distinct().Count() == listed.Count;
        return listed.Select((n, i) => new Row(distinctUnits ? $"{name} ({n.Unit})" : $"{name} #{i + 1}", n.Value, n.Unit)).ToList();
    }

    private static bool TryNumbers(string[] texts, out List<(double Value, string Unit)> numbers)
    {
        numbers = new List<(double Value, string Unit)>(texts.Length);
        foreach (var text in texts)
        {
            var match = NumberAndUnit.Match(text.Trim());
            if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            numbers.Add((value, match.Groups[2].Value));
        }

        return true;
    }

    // "lateness idle p50 / p95 / p99" with three numbers: "lateness idle p50", "lateness idle p95", "lateness idle p99".
    private static string[] SlashedNames(string name, int count)
    {
        var parts = name.Split(" / ");
        if (parts.Length != count)
        {
            return Enumerable.Range(1, count).Select(i => $"{name} #{i}").ToArray();
        }

        var prefix = parts[0][..(parts[0].LastIndexOf(' ') + 1)];
        return parts.Select((p, i) => i == 0 ? p : prefix + p).ToArray();
    }
}
