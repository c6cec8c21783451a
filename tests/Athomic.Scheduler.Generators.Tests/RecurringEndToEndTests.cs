using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Athomic.Scheduler.Recurring;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Generated recurring code run by the real worker over the in-memory store on a fake clock.</summary>
public sealed class RecurringEndToEndTests
{
    private static readonly TimeSpan Step = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_static_schedule_is_stored_at_start_and_runs_at_its_local_time()
    {
        await using var app = await TestHost.StartAsync(b => b.AddScheduledHandlersFromAthomicSchedulerGeneratorsTests());
        var nightly = RecurringSchedule.Cron("0 3 * * *", "Europe/Berlin");

        // The host stores its static schedules in the background; storing the same one here first makes the start
        // time certain (whichever comes second finds it unchanged).
        var stored = await app.Scheduler.AddOrUpdateRecurringAsync("app.nightly", new GenericTask("app.nightly", default), nightly);
        Assert.NotEqual(RecurringUpsertStatus.Updated, stored);

        // TestHost.Start is 2026-03-01 09:00Z; 03:00 in Berlin (CET, UTC+1) is 02:00Z the next day.
        var first = new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero);
        var run = await app.AdvanceUntil(Runs.WhenRan(RecurringTaskIds.For("app.nightly", first)), Step);
        Assert.Equal("app.nightly", run.Handler);

        var second = await app.AdvanceUntil(Runs.WhenRan(RecurringTaskIds.For("app.nightly", first.AddDays(1))), Step);
        Assert.Equal(1, second.Attempt);

        // Storing the same static schedule again (another host, a restart) changes nothing.
        Assert.Equal(RecurringUpsertStatus.Unchanged, await app.Scheduler.AddOrUpdateRecurringAsync("app.nightly", new GenericTask("app.nightly", default), nightly));
    }

    [Fact]
    public async Task The_generated_runtime_method_adds_a_typed_schedule_and_each_occurrence_gets_the_payload()
    {
        await using var app = await TestHost.StartAsync(b => b.AddScheduledHandlersFromAthomicSchedulerGeneratorsTests());
        var order = new OrderPlaced(Guid.NewGuid(), [new("sku-1", 1)], TestHost.Start, null);

        var status = await app.Scheduler.AddOrUpdateRecurringOnPlacedAsync("orders.hourly", order, RecurringSchedule.Every(TimeSpan.FromHours(1)));

        Assert.Equal(RecurringUpsertStatus.Created, status);
        var run = await app.AdvanceUntil(Runs.WhenRan(RecurringTaskIds.For("orders.hourly", TestHost.Start.AddHours(1))), Step);
        Assert.Equal(order.OrderId, Assert.IsType<OrderPlaced>(run.Payload).OrderId);
        Assert.True(await app.Scheduler.RemoveRecurringAsync("orders.hourly"));
    }
}
