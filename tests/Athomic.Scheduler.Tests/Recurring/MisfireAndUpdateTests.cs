using Athomic.Scheduler.Recurring;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>Misfire policies after every worker was down, and update/remove semantics, on a fake clock.</summary>
public sealed class MisfireAndUpdateTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 30, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int hour, int minute = 0) => new(2026, 6, 1, hour, minute, 0, TimeSpan.Zero);

    private static async Task<RecurringDriver> HourlyWithOutageAsync(MisfirePolicy policy)
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("hourly", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *") with { Misfire = policy });
        await driver.RunUntilAsync(At(11, 30)); // 11:00 runs

        driver.Down(TimeSpan.FromHours(4)); // 12:00, 13:00, 14:00 and 15:00 pass with no worker; now 15:30
        await driver.RunUntilAsync(At(16, 30));
        return driver;
    }

    [Fact]
    public async Task RunOnce_the_default_runs_the_latest_missed_occurrence_once_then_continues()
    {
        var driver = await HourlyWithOutageAsync(MisfirePolicy.RunOnce);

        // 12:00 was already pending when the workers went down (added when 11:00 fell due), so it runs; of the
        // occurrences never added, only the latest (15:00) runs.
        Assert.Equal([At(11), At(12), At(15), At(16)], driver.RunTimes);
    }

    [Fact]
    public async Task RunAll_runs_every_missed_occurrence_oldest_first()
    {
        var driver = await HourlyWithOutageAsync(MisfirePolicy.RunAll);

        Assert.Equal([At(11), At(12), At(13), At(14), At(15), At(16)], driver.RunTimes);
    }

    [Fact]
    public async Task Skip_runs_none_of_the_occurrences_never_added()
    {
        var driver = await HourlyWithOutageAsync(MisfirePolicy.Skip);

        Assert.Equal([At(11), At(12), At(16)], driver.RunTimes);
    }

    [Fact]
    public async Task An_occurrence_added_late_but_within_the_threshold_is_not_a_misfire()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("hourly", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *") with { Misfire = MisfirePolicy.Skip });
        await driver.RunUntilAsync(At(12, 0));
        driver.Down(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(30)); // 13:00 is 30 s late when the next worker looks
        await driver.RunUntilAsync(At(13, 30));

        Assert.Equal([At(11), At(12), At(13)], driver.RunTimes);
    }

    [Fact]
    public async Task Storing_the_same_definition_again_changes_nothing()
    {
        var driver = new RecurringDriver(Start);
        var schedule = RecurringSchedule.Cron("0 * * * *");
        Assert.Equal(RecurringUpsertStatus.Created, await driver.Scheduler.AddOrUpdateRecurringAsync("hourly", RecurringDriver.Payload("p"), schedule));
        await driver.RunUntilAsync(At(11, 0));
        Assert.Equal(RecurringUpsertStatus.Unchanged, await driver.Scheduler.AddOrUpdateRecurringAsync("hourly", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *")));
        await driver.RunUntilAsync(At(13, 30));

        Assert.Equal([At(11), At(12), At(13)], driver.RunTimes);
    }

    [Fact]
    public async Task Updating_cron_or_payload_applies_from_the_next_occurrence()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("old"), RecurringSchedule.Cron("0 * * * *"));
        await driver.RunUntilAsync(At(11, 10)); // 11:00 ran with "old"; 12:00 is pending with "old"

        Assert.Equal(RecurringUpsertStatus.Updated, await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("new"), RecurringSchedule.Cron("30 * * * *")));
        await driver.RunUntilAsync(At(13, 40));

        Assert.Equal([(At(11), "old"), (At(11, 30), "new"), (At(12, 30), "new"), (At(13, 30), "new")], driver.Runs.Select(r => (r.Due, r.Payload)));
        Assert.Null(await driver.Scheduler.GetAsync(RecurringTaskIds.For("job", At(12))));
    }

    [Fact]
    public async Task Updating_only_the_payload_keeps_the_pending_occurrence_time()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("old"), RecurringSchedule.Cron("0 * * * *"));
        await driver.RunUntilAsync(At(11, 10));
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("new"), RecurringSchedule.Cron("0 * * * *"));
        await driver.RunUntilAsync(At(12, 10));

        Assert.Equal([(At(11), "old"), (At(12), "new")], driver.Runs.Select(r => (r.Due, r.Payload)));
    }

    [Fact]
    public async Task Removing_cancels_the_pending_occurrence_and_nothing_runs_after()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *"));
        await driver.RunUntilAsync(At(11, 10));
        Assert.NotNull(await driver.Scheduler.GetAsync(RecurringTaskIds.For("job", At(12))));

        Assert.True(await driver.Scheduler.RemoveRecurringAsync("job"));
        Assert.False(await driver.Scheduler.RemoveRecurringAsync("job"));
        await driver.RunUntilAsync(At(15));

        Assert.Equal([At(11)], driver.RunTimes);
        Assert.Null(await driver.Scheduler.GetAsync(RecurringTaskIds.For("job", At(12))));
    }

    [Fact]
    public async Task Adding_again_after_removal_never_repeats_an_occurrence_that_ran()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("p"), RecurringSchedule.Every(TimeSpan.FromHours(1)));
        await driver.RunUntilAsync(At(11, 0));
        await driver.Scheduler.RemoveRecurringAsync("job");
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("p"), RecurringSchedule.Every(TimeSpan.FromHours(1)));
        await driver.RunUntilAsync(At(12, 30));

        Assert.Equal([At(11), At(12)], driver.RunTimes);
    }

    [Fact]
    public async Task Cancelling_one_pending_occurrence_skips_only_that_one()
    {
        var driver = new RecurringDriver(Start);
        await driver.Scheduler.AddOrUpdateRecurringAsync("job", RecurringDriver.Payload("p"), RecurringSchedule.Cron("0 * * * *"));
        await driver.RunUntilAsync(At(11, 10)); // 11:00 ran and added 12:00

        Assert.True(await driver.Scheduler.CancelAsync(RecurringTaskIds.For("job", At(12))));
        await driver.RunUntilAsync(At(14, 10));

        // Nothing dispatched 12:00 to add 13:00: the workers look a misfire threshold later and add it then.
        Assert.Equal([At(11), At(13), At(14)], driver.RunTimes);
    }

    [Theory]
    [InlineData("0 3 * *", "fields")]
    [InlineData("61 3 * * *", "not valid")]
    [InlineData("0 3 * * * * *", "fields")]
    public void A_bad_cron_expression_is_refused_with_a_clear_message(string cron, string fragment)
    {
        var ex = Assert.Throws<ArgumentException>(() => RecurringSchedule.Cron(cron));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_time_zone_and_a_bad_schedule_id_are_refused()
    {
        Assert.Contains("Mars/Olympus", Assert.Throws<ArgumentException>(() => RecurringSchedule.Cron("0 3 * * *", "Mars/Olympus")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurringSchedule.Every(TimeSpan.FromMilliseconds(1500)));
        var driver = new RecurringDriver(Start);
        await Assert.ThrowsAsync<ArgumentException>(() => driver.Scheduler.AddOrUpdateRecurringAsync("a@b", RecurringDriver.Payload("p"), RecurringSchedule.Every(TimeSpan.FromHours(1))));
    }
}
