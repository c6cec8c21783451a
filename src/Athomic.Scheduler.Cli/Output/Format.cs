using System.Globalization;
using System.Text.RegularExpressions;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>How values read in tables and details: UTC times, short durations, counts.</summary>
internal static partial class Format
{
    /// <summary>An error reason for a table: without a leading exception type (<c>System.Net.Http.HttpRequestException: </c>),
    /// so the message gets the room; <c>show</c> and <c>--json</c> keep the whole reason.</summary>
    public static string? ShortReason(string? reason) => reason is null ? null : LeadingExceptionType().Replace(reason, string.Empty, 1);

    /// <summary>A UTC time to the second: <c>2026-12-02 09:30:00</c>.</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    /// <summary>How far <paramref name="time"/> is from <paramref name="now"/>: <c>in 4m10s</c>, <c>12s ago</c>, <c>now</c>.</summary>
    public static string Relative(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } t)
        {
            return "-";
        }

        var delta = t - now;
        var span = delta.Duration();
        if (span < TimeSpan.FromSeconds(1))
        {
            return "now";
        }

        var text = Duration(span);
        return delta > TimeSpan.Zero ? "in " + text : text + " ago";
    }

    /// <summary>A duration in its two largest units: <c>4m10s</c>, <c>2d3h</c>, <c>0.25s</c> under a second.</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d{span.Hours}h"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes}m"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds}s"
        : span.TotalSeconds >= 1 ? $"{(int)span.TotalSeconds}s"
        : span.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + "s";

    /// <summary>A count with thousands separators (invariant).</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?:[A-Za-z_][A-Za-z0-9_]*\.)*[A-Za-z_][A-Za-z0-9_]*Exception: ")]
    private static partial Regex LeadingExceptionType();
}
