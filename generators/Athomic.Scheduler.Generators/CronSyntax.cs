using System;
using System.Globalization;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// A small check of the cron syntax the runtime (Cronos) accepts, so a bad expression fails the build instead of the
/// host start: 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); each field a list of
/// <c>*</c>, values or ranges with an optional <c>/step</c>; month and weekday names; <c>?</c>, <c>L</c>, <c>W</c>
/// (day of month) and <c>#</c>, <c>L</c> (weekday). The generator cannot load Cronos itself.
/// </summary>
internal static class CronSyntax
{
    private static readonly string[] Months = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    private static readonly string[] Days = { "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" };

    /// <summary>Checks an expression.</summary>
    /// <returns><see langword="null"/> when valid, else what is wrong.</returns>
    public static string? Check(string expression)
    {
        var fields = expression.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6))
        {
            return "it has " + fields.Length.ToString(CultureInfo.InvariantCulture) + " fields; give 5 (minute hour day month weekday) or 6 (seconds first)";
        }

        var offset = fields.Length - 5;
        string?[] errors =
        {
            offset == 1 ? Field(fields[0], "second", 0, 59, null) : null,
            Field(fields[offset], "minute", 0, 59, null),
            Field(fields[offset + 1], "hour", 0, 23, null),
            DayOfMonth(fields[offset + 2]),
            Field(fields[offset + 3], "month", 1, 12, Months),
            DayOfWeek(fields[offset + 4]),
        };
        foreach (var error in errors)
        {
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? DayOfMonth(string field)
    {
        if (field is "?" or "L" or "LW")
        {
            return null;
        }

        if (field.StartsWith("L-", StringComparison.Ordinal))
        {
            return Number(field.Substring(2), "day of month", 0, 30, null) is null ? null : Bad(field, "day of month");
        }

        if (field.EndsWith("W", StringComparison.Ordinal))
        {
            return Number(field.Substring(0, field.Length - 1), "day of month", 1, 31, null) is null ? null : Bad(field, "day of month");
        }

        return Field(field, "day of month", 1, 31, null);
    }

    private static string? DayOfWeek(string field)
    {
        if (field == "?")
        {
            return null;
        }

        var hash = field.IndexOf('#');
        if (hash > 0)
        {
            return Number(field.Substring(0, hash), "day of week", 0, 7, Days) is null && Number(field.Substring(hash + 1), "day of week", 1, 5, null) is null
                ? null
                : Bad(field, "day of week");
        }

        if (field.Length > 1 && field.EndsWith("L", StringComparison.Ordinal))
        {
            return Number(field.Substring(0, field.Length - 1), "day of week", 0, 7, Days) is null ? null : Bad(field, "day of week");
        }

        return Field(field, "day of week", 0, 7, Days);
    }

    private static string? Field(string field, string name, int min, int max, string[]? names)
    {
        foreach (var item in field.Split(','))
        {
            var range = item;
            var slash = item.IndexOf('/');
            if (slash >= 0)
            {
                range = item.Substring(0, slash);
                if (!int.TryParse(item.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var step) || step < 1 || step > max - min + 1)
                {
                    return Bad(field, name);
                }
            }

            if (range == "*")
            {
                continue;
            }

            var dash = range.IndexOf('-');
            var error = dash > 0
                ? Number(range.Substring(0, dash), name, min, max, names) ?? Number(range.Substring(dash + 1), name, min, max, names)
                : Number(range, name, min, max, names);
            if (error is not null)
            {
                return Bad(field, name);
            }
        }

        return null;
    }

    private static string? Number(string text, string name, int min, int max, string[]? names)
    {
        if (names is not null && Array.IndexOf(names, text.ToUpperInvariant()) >= 0)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? null
            : Bad(text, name);
    }

    private static string Bad(string field, string name) => "the " + name + " field '" + field + "' is not valid";
}
