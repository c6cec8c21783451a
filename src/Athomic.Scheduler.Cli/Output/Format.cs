using System.Globalization;
using System.Text.Json;
using MessagePack;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>How values read in tables and details: UTC times, short relative times, payloads as JSON.</summary>
internal static class Format
{
    private static readonly MessagePackSerializerOptions Untrusted =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

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

        var text = span.TotalDays >= 1 ? $"{(int)span.TotalDays}d{span.Hours}h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes}m"
            : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds}s"
            : $"{(int)span.TotalSeconds}s";
        return delta > TimeSpan.Zero ? "in " + text : text + " ago";
    }

    /// <summary>A count with thousands separators (invariant).</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A MessagePack payload as JSON text, or <see langword="null"/> when it is empty or not MessagePack.</summary>
    public static string? PayloadJson(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        try
        {
            var json = MessagePackSerializer.ConvertToJson(payload, Untrusted);
            using var _ = JsonDocument.Parse(json); // only valid JSON is shown as JSON
            return json;
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or JsonException or InvalidOperationException or ArgumentException or EndOfStreamException)
        {
            return null;
        }
    }
}
