using Athomic.Scheduler.Generators.TestLibrary;
using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Athomic.Scheduler.EndToEnd.Tests;

/// <summary>
/// Generated methods schedule into a real redis-server, the real worker claims and dispatches, the generated registry
/// decodes and the handlers (of this assembly and of a referenced class library) receive equal payloads.
/// </summary>
public sealed class RedisEndToEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task Generated_methods_run_app_and_library_handlers_through_Redis()
    {
        await using var connection = await _redis.ConnectAsync();
        var probe = new LibraryProbe();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILibraryProbe>(probe);
        builder.Services.AddScoped<OrderLog>();
        builder.Services.AddAthomicScheduler(o => o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(100))
            .UseRedis(_ => connection)
            .AddScheduledHandlersFromAthomicSchedulerEndToEndTests()
            .AddScheduledHandlersFromAthomicSchedulerGeneratorsTestLibrary();
        using var host = builder.Build();
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        var order = new OrderPlaced(Guid.NewGuid(), [new("sku-9", 3)], DateTimeOffset.UnixEpoch.AddDays(20000), null);
        var invoice = new InvoiceDue("inv-7", 12.5m, ["ap@example.com"]);
        var orderTask = await scheduler.ScheduleOnPlacedAsync(order, TimeSpan.FromMilliseconds(200));
        var invoiceTask = await scheduler.ScheduleRemindAtAsync(invoice, DateTimeOffset.UtcNow.AddMilliseconds(100));

        var orderRun = await Runs.WhenRan(orderTask).WaitAsync(Timeout);
        var (handler, payload) = await probe.WhenRan(invoiceTask).WaitAsync(Timeout);

        // The static [Recurring] schedules of this assembly are stored at start (storing one again is a no-op either way);
        // removing them leaves only their watermarks, kept so that adding one again never repeats an occurrence.
        await scheduler.AddOrUpdateRecurringAsync("app.nightly", new GenericTask("app.nightly", default), RecurringSchedule.Cron("0 3 * * *", "Europe/Berlin"));
        foreach (var staticSchedule in new[] { "app.nightly", "reports.nightly", "reports.refresh" })
        {
            await scheduler.RemoveRecurringAsync(staticSchedule);
        }

        await host.StopAsync();

        Assert.Equal("orders.placed", orderRun.Handler);
        var receivedOrder = Assert.IsType<OrderPlaced>(orderRun.Payload);
        Assert.Equal((order.OrderId, order.PlacedAt, order.Note), (receivedOrder.OrderId, receivedOrder.PlacedAt, receivedOrder.Note));
        Assert.Equal(order.Lines, receivedOrder.Lines);
        Assert.Equal("billing.invoice-due", handler);
        var receivedInvoice = Assert.IsType<InvoiceDue>(payload);
        Assert.Equal((invoice.InvoiceId, invoice.Amount), (receivedInvoice.InvoiceId, receivedInvoice.Amount));
        Assert.Equal(invoice.Recipients, receivedInvoice.Recipients);
        var keys = await connection.GetServer(connection.GetEndPoints()[0]).KeysAsync(pattern: "{athomic:scheduler}:*").ToListAsync();
        // Left: the recurring schedule's watermark, the fencing-token counter and the owners of the latest claim batches
        // (bounded); no task and no lease.
        Assert.Equal(["{athomic:scheduler}:fence", "{athomic:scheduler}:owner", "{athomic:scheduler}:recurring:state"], keys.Select(k => (string)k!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_generated_method_stores_the_task_under_the_id_it_is_given_and_reschedules_it()
    {
        await using var connection = await _redis.ConnectAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddScoped<OrderLog>();
        builder.Services.AddAthomicScheduler(o => o.Worker.Enabled = false)
            .UseRedis(_ => connection)
            .AddScheduledHandlersFromAthomicSchedulerEndToEndTests()
            .AddScheduledHandlersFromAthomicSchedulerGeneratorsTestLibrary();
        using var host = builder.Build();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var order = new OrderPlaced(Guid.NewGuid(), [new("sku-1", 1)], DateTimeOffset.UnixEpoch, "first");

        var first = await scheduler.ScheduleOnPlacedAsync(order, TimeSpan.FromHours(1), taskId: "order:42");
        var second = await scheduler.ScheduleOnPlacedAtAsync(order with { Note = "second" }, DateTimeOffset.UtcNow.AddHours(2), taskId: "order:42");

        Assert.Equal(("order:42", "order:42"), (first, second));
        var stored = await scheduler.GetAsync("order:42");
        Assert.NotNull(stored);
        Assert.Equal(("order:42", "orders.placed"), (stored.Task.TaskId, stored.Task.Handler));
        var db = connection.GetDatabase();
        Assert.Equal(1, await db.SortedSetLengthAsync("{athomic:scheduler}:pending"));
        var due = await db.SortedSetScoreAsync("{athomic:scheduler}:pending", "order:42");
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds((long)due!.Value) - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(110), TimeSpan.FromMinutes(121));
    }
}
