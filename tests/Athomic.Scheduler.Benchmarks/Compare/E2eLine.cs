using System.Globalization;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// The line <c>--e2e-only</c> prints without <c>--rows-tsv</c> ("e2e 41234 cpu_us 23.51 alloc_b 1190"), which refs from
/// before --rows-tsv print: read as the rows that --e2e-only --rows-tsv gives, under the same names.
/// </summary>
internal static class E2eLine
{
    public const string Rate = "e2e";
    public const string Cpu = "e2e cpu";
    public const string Alloc = "e2e alloc";

    public static bool TryParse(string line, out IReadOnlyList<Row> rows)
    {
        rows = [];
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is not ["e2e", var rate, "cpu_us", var cpu, "alloc_b", var alloc]
            || !double.TryParse(rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond)
            || !double.TryParse(cpu, NumberStyles.Float, CultureInfo.InvariantCulture, out var cpuUs)
            || !double.TryParse(alloc, NumberStyles.Float, CultureInfo.InvariantCulture, out var allocB))
        {
            return false;
        }

        rows = [new Row(Rate, perSecond, "/s"), new Row(Cpu, cpuUs, "µs/task"), new Row(Alloc, allocB, "B/task")];
        return true;
    }
}
