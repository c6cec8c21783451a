using System.Globalization;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>Collects rows and prints them as one table, or as machine-readable <see cref="Row"/> lines (<c>--rows-tsv</c>).</summary>
internal sealed class Report
{
    private readonly List<(string Name, string Value, string Note)> _rows = new();
    private readonly List<Row> _numbers = new();

    /// <summary>The machine-readable rows so far (what <c>--rows-tsv</c> prints).</summary>
    public IReadOnlyList<Row> Numbers => _numbers;

    public void Add(string name, string value, string note = "") => Add(name, value, note, Row.FromText(name, value));

    public void Rate(string name, int count, TimeSpan elapsed, string note = "") => Rate(name, count / elapsed.TotalSeconds, note);

    public void Rate(string name, double perSecond, string note) =>
        Add(name, perSecond.ToString("N0", CultureInfo.InvariantCulture) + " /s", note, [new Row(name, perSecond, "/s")]);

    public void Print(bool rowsTsv)
    {
        if (rowsTsv)
        {
            foreach (var row in _numbers)
            {
                Console.WriteLine(row.ToTsv());
            }

            return;
        }

        var w = _rows.Max(r => r.Name.Length);
        var v = _rows.Max(r => r.Value.Length);
        Console.WriteLine();
        Console.WriteLine($"| {"measure".PadRight(w)} | {"result".PadLeft(v)} | note");
        Console.WriteLine($"|{new string('-', w + 2)}|{new string('-', v + 2)}|-----");
        foreach (var (name, value, note) in _rows)
        {
            Console.WriteLine($"| {name.PadRight(w)} | {value.PadLeft(v)} | {note}");
        }
    }

    public static double Rate(int count, TimeSpan elapsed) => count / elapsed.TotalSeconds;

    public static string Ratio(double a, double b) => (a / b).ToString("P0", CultureInfo.InvariantCulture);

    public static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private void Add(string name, string value, string note, IReadOnlyList<Row> numbers)
    {
        _rows.Add((name, value, note));
        _numbers.AddRange(numbers);
        Console.WriteLine($"  {name}: {value} {note}");
    }
}
