using Cronos;

namespace Athomic.Scheduler;

/// <summary>
/// When a recurring task runs: a cron expression in a time zone (<see cref="Cron"/>) or a fixed interval
/// (<see cref="Every"/>), plus what to do with missed occurrences (<see cref="Misfire"/>).
/// </summary>
/// <remarks>
/// Cron expressions have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), parsed by
/// Cronos. Daylight saving: an occurrence inside a skipped hour runs once, at the transition; an occurrence inside a
/// repeated hour runs once, at its first instance. Intervals are anchored at the Unix epoch (UTC), so every worker
/// computes the same occurrences: <c>Every(15 min)</c> runs at :00, :15, :30 and :45 of every hour.
/// </remarks>
public sealed record RecurringSchedule
{
    private readonly CronExpression? _cron;
    private readonly TimeZoneInfo? _zone;

    private RecurringSchedule(string? expression, string? timeZone, TimeSpan interval, CronExpression? cron, TimeZoneInfo? zone)
    {
        Expression = expression;
        TimeZone = timeZone;
        Interval = interval;
        _cron = cron;
        _zone = zone;
    }

    /// <summary>The cron expression, or <see langword="null"/> for an interval schedule.</summary>
    public string? Expression { get; }

    /// <summary>The IANA or Windows time zone id of a cron schedule (<see langword="null"/> means UTC).</summary>
    public string? TimeZone { get; }

    /// <summary>The interval of an interval schedule, or <see cref="TimeSpan.Zero"/> for a cron schedule.</summary>
    public TimeSpan Interval { get; }

    /// <summary>What to do with occurrences missed while no worker ran; <see cref="MisfirePolicy.RunOnce"/> by default.</summary>
    public MisfirePolicy Misfire { get; init; }

    /// <summary>A cron schedule.</summary>
    /// <param name="expression">5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first).</param>
    /// <param name="timeZone">An IANA or Windows time zone id; UTC when <see langword="null"/>.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentException">The expression or the time zone is not valid.</exception>
    public static RecurringSchedule Cron(string expression, string? timeZone = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            throw new ArgumentException($"The cron expression '{expression}' has {fields} fields; give 5 (minute hour day month weekday) or 6 (seconds first).", nameof(expression));
        }

        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            throw new ArgumentException($"The cron expression '{expression}' is not valid: {ex.Message}", nameof(expression), ex);
        }

        TimeZoneInfo zone;
        try
        {
            zone = timeZone is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ArgumentException($"The time zone '{timeZone}' is not known on this machine.", nameof(timeZone), ex);
        }

        return new RecurringSchedule(expression, timeZone, TimeSpan.Zero, cron, zone);
    }

    /// <summary>An interval schedule, anchored at the Unix epoch (UTC).</summary>
    /// <param name="interval">The interval: whole seconds, at least one second.</param>
    /// <returns>The schedule.</returns>
    public static RecurringSchedule Every(TimeSpan interval)
    {
        if (interval < TimeSpan.FromSeconds(1) || interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be whole seconds, at least one second.");
        }

        return new RecurringSchedule(null, null, interval, null, null);
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or <see langword="null"/> when there is none.</summary>
    /// <param name="after">The instant.</param>
    /// <returns>The occurrence, in UTC.</returns>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        if (_cron is null)
        {
            // The next multiple of the interval, or none when it is past the last instant a DateTimeOffset holds.
            var ms = (long)Interval.TotalMilliseconds;
            var next = (after.ToUnixTimeMilliseconds() / ms) + 1;
            return next <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() / ms ? DateTimeOffset.FromUnixTimeMilliseconds(next * ms) : null;
        }

        // Cron has second resolution: move a sub-second instant to its second so "after" stays exclusive.
        var utc = after.UtcDateTime;
        utc = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        var occurrence = _cron.GetNextOccurrence(utc, _zone!, inclusive: false);
        return occurrence is { } o ? new DateTimeOffset(o, TimeSpan.Zero) : null;
    }

    /// <inheritdoc />
    public bool Equals(RecurringSchedule? other) =>
        other is not null && Expression == other.Expression && TimeZone == other.TimeZone && Interval == other.Interval && Misfire == other.Misfire;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Expression, TimeZone, Interval, Misfire);

    /// <inheritdoc />
    public override string ToString() => _cron is null ? $"every {Interval}" : $"cron '{Expression}' in {TimeZone ?? "UTC"}";
}
