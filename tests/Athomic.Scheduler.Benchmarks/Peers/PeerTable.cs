using System.Globalization;

namespace Athomic.Scheduler.Benchmarks.Peers;

/// <summary>
/// The <c>--peers</c> table: each measure of this run for Athomic.Scheduler, Hangfire and BullMQ side by side, with how
/// many times better (or worse) ours is than each, all from the same run on the same redis-server.
/// </summary>
internal sealed class PeerTable
{
    private readonly List<Line> _lines = new();

    /// <summary>One measure; a null value is one that peer does not have (or did not give in this run).</summary>
    public void Add(string measure, string unit, bool higherIsBetter, double ours, double? hangfire, double? bullMq) =>
        _lines.Add(new Line(measure, unit, higherIsBetter, ours, hangfire, bullMq));

    /// <summary>"7.3× better", "1.5× worse", or "–" when the peer has no value: ours against the peer, whichever way is better.</summary>
    public static string Advantage(double ours, double? peer, bool higherIsBetter)
    {
        if (peer is not { } other || other <= 0 || ours <= 0)
        {
            return "–";
        }

        var advantage = higherIsBetter ? ours / other : other / ours;
        return advantage >= 1
            ? advantage.ToString("F1", CultureInfo.InvariantCulture) + "× better"
            : (1 / advantage).ToString("F1", CultureInfo.InvariantCulture) + "× worse";
    }

    /// <summary>The table as Markdown, ready for docs/performance.md.</summary>
    public IEnumerable<string> Format(string bullMqVersions)
    {
        yield return $"Peers in this run (BullMQ: {(bullMqVersions.Length > 0 ? bullMqVersions : "not run")}):";
        yield return "| measure | Athomic.Scheduler | Hangfire | BullMQ | ours vs Hangfire | ours vs BullMQ |";
        yield return "|---|---:|---:|---:|---|---|";
        foreach (var l in _lines)
        {
            yield return $"| {l.Measure} | {Value(l.Ours, l.Unit)} | {Value(l.Hangfire, l.Unit)} | {Value(l.BullMq, l.Unit)} | {Advantage(l.Ours, l.Hangfire, l.HigherIsBetter)} | {Advantage(l.Ours, l.BullMq, l.HigherIsBetter)} |";
        }
    }

    private static string Value(double? value, string unit) => value is { } v
        ? (v >= 100 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("F1", CultureInfo.InvariantCulture)) + " " + unit
        : "–";

    private sealed record Line(string Measure, string Unit, bool HigherIsBetter, double Ours, double? Hangfire, double? BullMq);
}
