using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>The batch part of the store contract: one call decides its tasks as if they came one after another.</summary>
public abstract partial class ScheduleStoreContract
{
    [Fact]
    public async Task One_call_decides_its_tasks_in_order_even_for_repeated_ids()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("old", TimeSpan.FromHours(1), "0")], ExistingTaskPolicy.Reschedule, default);

        var rescheduled = await store.ScheduleAsync(
            [Due("a", TimeSpan.FromHours(1), "1"), Due("old", TimeSpan.FromHours(1), "2"), Due("a", TimeSpan.FromHours(3), "3")],
            ExistingTaskPolicy.Reschedule,
            default);
        var refused = await store.ScheduleAsync(
            [Due("b", TimeSpan.FromHours(1), "4"), Due("old", TimeSpan.Zero, "5"), Due("b", TimeSpan.Zero, "6")],
            ExistingTaskPolicy.Refuse,
            default);

        Assert.Equal([ScheduleStatus.Scheduled, ScheduleStatus.Rescheduled, ScheduleStatus.Rescheduled], rescheduled);
        Assert.Equal([ScheduleStatus.Scheduled, ScheduleStatus.AlreadyExists, ScheduleStatus.AlreadyExists], refused);
        var a = (await store.GetAsync("a", default))!;
        var old = (await store.GetAsync("old", default))!;
        Assert.Equal("3", Payload(a));
        Assert.Equal("2", Payload(old));
        Assert.Equal("4", Payload((await store.GetAsync("b", default))!));
        Assert.InRange(a.ScoreMilliseconds - old.ScoreMilliseconds, TimeSpan.FromHours(1.9).TotalMilliseconds, TimeSpan.FromHours(2.1).TotalMilliseconds);
        Assert.Empty((await store.ClaimAsync(10, Lease, default)).Tasks);
    }

    [Fact]
    public async Task Rescheduling_in_flight_tasks_in_one_call_holds_the_new_versions_until_their_runs_end()
    {
        var store = await CreateAsync();
        await store.ScheduleAsync([Due("x", TimeSpan.Zero), Due("y", TimeSpan.Zero)], ExistingTaskPolicy.Reschedule, default);
        var claims = (await store.ClaimAsync(10, Lease, default)).Tasks.ToDictionary(t => t.TaskId, t => t.Claim);
        Assert.Equal(2, claims.Count);

        var statuses = await store.ScheduleAsync(
            [Due("x", TimeSpan.FromHours(1)), Due("z", TimeSpan.FromHours(1)), Due("y", TimeSpan.FromHours(1))],
            ExistingTaskPolicy.Reschedule,
            default);

        Assert.Equal([ScheduleStatus.RescheduledAfterRun, ScheduleStatus.Scheduled, ScheduleStatus.RescheduledAfterRun], statuses);
        Assert.Equal(ScheduledTaskState.InFlight, (await store.GetAsync("y", default))!.State);
        Assert.True(await store.AckAsync(claims["x"], default));
        Assert.True(await store.AckAsync(claims["y"], default));
        Assert.Equal(ScheduledTaskState.Pending, (await store.GetAsync("y", default))!.State);
        Assert.Equal(ScheduledTaskState.Pending, (await store.GetAsync("x", default))!.State);
    }

    private static string Payload(StoredTask stored) =>
        System.Text.Encoding.UTF8.GetString(TaskEnvelope.Read(stored.Envelope).Payload.Span);
}
