using Athomic.Scheduler.Recurring;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>
/// Daily cron schedules across both daylight-saving transitions of three zones (north, west, south), on a fake
/// clock: an occurrence in a skipped hour runs once at the transition, one in a repeated hour runs once.
/// </summary>
public sealed class DaylightSavingTests
{
    public static TheoryData<string, string, string, string[]> Transitions => new()
    {
        // Europe/Berlin springs forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist, runs at 03:00.
        { "Europe/Berlin", "30 2 * * *", "2026-03-27T12:00:00Z", ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"] },
        // ... and falls back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice, runs once (the first).
        { "Europe/Berlin", "30 2 * * *", "2026-10-23T12:00:00Z", ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"] },
        // America/New_York springs forward 2026-03-08 02:00 EST -> 03:00 EDT.
        { "America/New_York", "30 2 * * *", "2026-03-06T12:00:00Z", ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"] },
        // ... and falls back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice, runs once.
        { "America/New_York", "30 1 * * *", "2026-10-30T12:00:00Z", ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"] },
        // Australia/Sydney falls back 2026-04-05 03:00 AEDT -> 02:00 AEST (southern autumn): 02:30 twice, runs once.
        { "Australia/Sydney", "30 2 * * *", "2026-04-03T00:00:00Z", ["2026-04-03T15:30:00Z", "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z"] },
        // ... and springs forward 2026-10-04 02:00 AEST -> 03:00 AEDT: 02:30 does not exist, runs at 03:00.
        { "Australia/Sydney", "30 2 * * *", "2026-10-02T00:00:00Z", ["2026-10-02T16:30:00Z", "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z"] },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public async Task A_daily_schedule_runs_once_per_day_across_the_transition(string zone, string cron, string start, string[] expected)
    {
        var driver = new RecurringDriver(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture));
        await driver.Scheduler.AddOrUpdateRecurringAsync("daily", RecurringDriver.Payload("p"), RecurringSchedule.Cron(cron, zone));

        await driver.RunUntilAsync(DateTimeOffset.Parse(expected[^1], System.Globalization.CultureInfo.InvariantCulture).AddHours(12));

        Assert.Equal(expected.Select(e => DateTimeOffset.Parse(e, System.Globalization.CultureInfo.InvariantCulture)), driver.RunTimes);
        Assert.Equal(driver.Runs.Select(r => RecurringTaskIds.For("daily", r.Due)), driver.Runs.Select(r => r.TaskId));
    }

    [Fact]
    public async Task An_hourly_cron_skips_the_missing_hour_and_runs_the_repeated_hour_once()
    {
        // Europe/Berlin, fall back 2026-10-25: local 02:00 happens twice, at 00:00Z and 01:00Z; "0 * * * *" runs both
        // instants because they are different hours on the UTC line, but never one instant twice.
        var driver = new RecurringDriver(new DateTimeOffset(2026, 10, 24, 22, 30, 0, TimeSpan.Zero));
        await driver.Scheduler.AddOrUpdateRecurringAsync("hourly", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *", "Europe/Berlin"));

        await driver.RunUntilAsync(new DateTimeOffset(2026, 10, 25, 3, 30, 0, TimeSpan.Zero));

        Assert.Equal(driver.Runs.Count, driver.Runs.Select(r => r.TaskId).Distinct().Count());
        Assert.Equal(5, driver.Runs.Count);
    }

    [Fact]
    public async Task An_interval_is_anchored_on_utc_and_ignores_daylight_saving()
    {
        var driver = new RecurringDriver(new DateTimeOffset(2026, 3, 29, 0, 7, 0, TimeSpan.Zero));
        await driver.Scheduler.AddOrUpdateRecurringAsync("every15", RecurringDriver.Payload("p"), RecurringSchedule.Every(TimeSpan.FromMinutes(15)));

        await driver.RunUntilAsync(new DateTimeOffset(2026, 3, 29, 2, 0, 0, TimeSpan.Zero));

        var expected = Enumerable.Range(0, 8).Select(i => new DateTimeOffset(2026, 3, 29, 0, 15, 0, TimeSpan.Zero).AddMinutes(15 * i));
        Assert.Equal(expected, driver.RunTimes);
    }
}
