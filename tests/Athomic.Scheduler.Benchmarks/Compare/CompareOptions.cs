using System.Globalization;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>
/// <c>--compare &lt;ref&gt; [--rounds N] [--warmup N] [--rows e2e|quick|flow|payloads|idle|dispatch|full]</c>; instead of --rows, the mode
/// flags of a plain run (<c>--quick</c>, <c>--flow</c>, <c>--payloads</c>, <c>--idle</c>, <c>--dispatch</c>, <c>--e2e-only [n]</c>) may be given as they are.
/// </summary>
internal sealed record CompareOptions(string Reference, int Rounds, int Warmup, IReadOnlyList<string> ModeArgs)
{
    public const int DefaultE2eTasks = 50_000;

    public const string Usage =
        "usage: --compare <git-ref> [--rounds N] [--warmup N] [--rows e2e|quick|flow|payloads|idle|dispatch|full]   (or --quick, --flow, --payloads, --idle, --dispatch, --e2e-only [n] instead of --rows)";

    private static readonly Dictionary<string, string[]> Presets = new()
    {
        ["e2e"] = ["--e2e-only", DefaultE2eTasks.ToString(CultureInfo.InvariantCulture)],
        ["quick"] = ["--quick"],
        ["flow"] = ["--flow"],
        ["payloads"] = ["--payloads"],
        ["idle"] = ["--idle"],
        ["dispatch"] = ["--dispatch"],
        ["full"] = [],
    };

    /// <summary>Runs of the end-to-end row alone: the one mode a ref older than --rows-tsv can be compared in.</summary>
    public bool IsE2eOnly => ModeArgs is ["--e2e-only", ..];

    /// <summary>What each run is given, before --rows-tsv: "--e2e-only 50000", or "(full run)".</summary>
    public string ModeLabel => ModeArgs.Count == 0 ? "(full run)" : string.Join(' ', ModeArgs);

    public static CompareOptions Parse(string[] args)
    {
        string? reference = null;
        string? rows = null;
        var rounds = 5;
        var warmup = 1;
        var mode = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--compare":
                    reference = Value(args, ref i);
                    break;
                case "--rounds":
                    rounds = Count(args, ref i, least: 1);
                    break;
                case "--warmup":
                    warmup = Count(args, ref i, least: 0);
                    break;
                case "--rows":
                    rows = Value(args, ref i);
                    break;
                case "--quick" or "--flow" or "--payloads" or "--idle" or "--dispatch":
                    mode.Add(args[i]);
                    break;
                case "--e2e-only":
                    mode.Add(args[i]);
                    mode.Add(i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                        ? args[++i]
                        : Presets["e2e"][1]);
                    break;
                default:
                    throw new CompareException($"--compare does not take '{args[i]}' ({Usage}).");
            }
        }

        if (rows is not null && mode.Count > 0)
        {
            throw new CompareException($"give --rows or the mode flags ({string.Join(' ', mode)}), not both.");
        }

        if (rows is not null && !Presets.ContainsKey(rows))
        {
            throw new CompareException($"--rows takes {string.Join(", ", Presets.Keys)}, not '{rows}'.");
        }

        return new CompareOptions(
            reference ?? throw new CompareException(Usage),
            rounds,
            warmup,
            rows is not null ? Presets[rows] : mode.Count > 0 ? mode : Presets["e2e"]);
    }

    private static int Count(string[] args, ref int i, int least)
    {
        var flag = args[i];
        return int.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= least
            ? n
            : throw new CompareException($"{flag} takes a whole number of at least {least}.");
    }

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[++i]
            : throw new CompareException($"{args[i]} needs a value ({Usage}).");
}
