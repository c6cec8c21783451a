using System.Globalization;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>Collects rows and prints them as one table.</summary>
internal sealed class Report
{
    private readonly List<(string Name, string Value, string Note)> _rows = new();

    public void Add(string name, string value, string note = "")
    {
        _rows.Add((name, value, note));
        Console.WriteLine($"  {name}: {value} {note}");
    }

    public void Rate(string name, int count, TimeSpan elapsed, string note = "") =>
        Add(name, (count / elapsed.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture) + " /s", note);

    public void Print()
    {
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
}
