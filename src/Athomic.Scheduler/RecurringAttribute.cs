namespace Athomic.Scheduler;

/// <summary>
/// Gives a <c>[ScheduledHandler]</c> method without payload a static recurring schedule: a cron expression
/// (<c>[Recurring("0 3 * * *", TimeZone = "Europe/Berlin")]</c>) or an interval (<c>[Recurring(Every = "00:15:00")]</c>).
/// The source generator checks it at compile time and registers it; every host stores it at start-up, and storing an
/// unchanged schedule again is a no-op, so restarts and redeploys never duplicate an occurrence.
/// </summary>
/// <remarks>
/// Static schedules carry no payload: handlers with a payload get theirs at run time through the generated
/// <c>AddOrUpdateRecurring{Method}Async</c>. Removing the attribute does not delete the stored schedule; remove it with
/// <see cref="IScheduler.RemoveRecurringAsync"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class RecurringAttribute : Attribute
{
    /// <summary>An interval schedule: set <see cref="Every"/>.</summary>
    public RecurringAttribute()
    {
    }

    /// <summary>A cron schedule.</summary>
    /// <param name="cron">5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first).</param>
    public RecurringAttribute(string cron)
    {
        Cron = cron;
    }

    /// <summary>The cron expression, or <see langword="null"/> for an interval schedule.</summary>
    public string? Cron { get; }

    /// <summary>The IANA (or Windows) time zone id of the cron expression; UTC when not set.</summary>
    public string? TimeZone { get; set; }

    /// <summary>The interval as a <see cref="TimeSpan"/> string (<c>[d.]hh:mm:ss</c>, whole seconds), anchored at the Unix epoch.</summary>
    public string? Every { get; set; }

    /// <summary>What to do with occurrences missed while no worker ran.</summary>
    public MisfirePolicy Misfire { get; set; }

    /// <summary>The schedule id; the handler name when not set.</summary>
    public string? Id { get; set; }
}
