namespace Athomic.Scheduler.Recurring;

/// <summary>Chooses the next occurrence to add for a schedule, applying its <see cref="MisfirePolicy"/>.</summary>
internal static class OccurrencePlanner
{
    /// <summary>How many missed occurrences <see cref="MisfirePolicy.RunOnce"/> steps over in one call to find the latest.</summary>
    public const int MaxCatchUpScan = 100_000;

    /// <summary>
    /// The occurrence to add after <paramref name="watermark"/> (the latest one added). An occurrence older than
    /// <paramref name="now"/> − <paramref name="misfireThreshold"/> is missed and handled by the schedule's policy.
    /// </summary>
    /// <returns>The occurrence, or <see langword="null"/> when the schedule has no more.</returns>
    public static DateTimeOffset? Next(RecurringSchedule schedule, DateTimeOffset watermark, DateTimeOffset now, TimeSpan misfireThreshold)
    {
        var first = schedule.GetNextOccurrence(watermark);
        var cutoff = now - misfireThreshold;
        if (first is not { } missed || missed > cutoff)
        {
            return first;
        }

        switch (schedule.Misfire)
        {
            case MisfirePolicy.RunAll:
                return missed;
            case MisfirePolicy.Skip:
                return schedule.GetNextOccurrence(cutoff);
            default:
                var latest = missed;
                for (var i = 0; i < MaxCatchUpScan && schedule.GetNextOccurrence(latest) is { } n && n <= now; i++)
                {
                    latest = n;
                }

                return latest;
        }
    }
}
