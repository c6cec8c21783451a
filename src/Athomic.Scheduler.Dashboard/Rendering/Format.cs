using System.Globalization;

namespace Athomic.Scheduler.Dashboard.Rendering;

/// <summary>How values read as text on the pages: invariant culture, times in UTC with a relative hint.</summary>
internal static class Format
{
    /// <summary>A count with thousands separators: <c>1,000,000</c>.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A UTC time, to the second: <c>2026-12-02 09:16:05</c>.</summary>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>The ISO 8601 form for a <c>&lt;time datetime&gt;</c> attribute.</summary>
    public static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>Where <paramref name="time"/> is from <paramref name="now"/>: <c>in 5 min</c>, <c>3 s ago</c>.</summary>
    public static string Relative(DateTimeOffset time, DateTimeOffset now)
    {
        var delta = time - now;
        var text = Span(delta.Duration());
        return delta >= TimeSpan.Zero ? "in " + text : text + " ago";
    }

    /// <summary>A duration in its largest fitting unit: <c>850 ms</c>, <c>12 s</c>, <c>4 min</c>, <c>3 h</c>, <c>2 d</c>.</summary>
    public static string Span(TimeSpan span)
    {
        var ms = span.TotalMilliseconds;
        return ms switch
        {
            <= 0 => "0 ms",
            < 1 => "< 1 ms",
            < 1_000 => ms.ToString("0", CultureInfo.InvariantCulture) + " ms",
            < 60_000 => span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s",
            < 3_600_000 => span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture) + " min",
            < 86_400_000 => span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h",
            _ => span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + " d",
        };
    }

    /// <summary>Seconds as a short duration (metrics are recorded in seconds).</summary>
    public static string Seconds(double seconds) => double.IsNaN(seconds) ? "–" : Span(TimeSpan.FromSeconds(seconds));

    /// <summary>A rate per second: <c>1,234.5/s</c>.</summary>
    public static string Rate(double perSecond) =>
        perSecond.ToString(perSecond >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture) + "/s";

    /// <summary>A size in bytes: <c>28 B</c>, <c>1.2 KiB</c>.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024d).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024d * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };

    /// <summary>At most <paramref name="max"/> characters, with an ellipsis when cut.</summary>
    public static string Truncate(string? text, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : string.Concat(line.AsSpan(0, max - 1), "…");
    }
}
