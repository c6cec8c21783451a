// Athomic.Scheduler web sample: an ASP.NET Core app on an embedded Garnet server, with the dashboard.
//   dotnet run --project samples/Athomic.Scheduler.WebSample          then open http://localhost:5080/scheduler
//   curl -X POST "http://localhost:5080/orders?count=100"              schedules 100 order confirmations
// The dashboard needs no login here: AllowLocalRequestsInDevelopment lets in requests made on this machine, not
// through a proxy, in Development (the launch profile's environment). In production, set
// DashboardOptions.AuthorizationPolicy instead.
using Athomic.Scheduler;
using Athomic.Scheduler.Garnet;
using Athomic.Scheduler.WebSample;

var builder = WebApplication.CreateBuilder(args);

var dataDirectory = builder.Configuration["Sample:DataDirectory"] ?? ".sample-data";
builder.Services.AddAthomicScheduler(builder.Configuration.GetSection(SchedulerOptions.SectionName))
    .UseEmbeddedGarnet(dataDirectory) // persistent: tasks survive a restart of the app
    .AddScheduledHandlersFromAthomicSchedulerWebSample(); // generated from the [ScheduledHandler] methods
builder.Services.AddAthomicSchedulerDashboard(o =>
{
    o.Title = "Web sample scheduler";
    o.AllowLocalRequestsInDevelopment = true; // no policy: only this machine's browser, in Development
});

var app = builder.Build();

app.MapGet("/", () => Results.Redirect("/scheduler"));

// Schedules `count` order confirmations due over the next `minutes` minutes; a tenth of them fail twice and end
// as dead letters.
app.MapPost("/orders", async (IScheduler scheduler, int? count, int? minutes) =>
{
    var n = Math.Clamp(count ?? 10, 1, 100_000);
    var spread = TimeSpan.FromMinutes(Math.Clamp(minutes ?? 10, 0, 60 * 24));
    var requests = Enumerable.Range(0, n).Select(i =>
    {
        var order = new OrderPlaced($"o-{Guid.NewGuid():N}"[..10], i % 10 == 9 ? "nobody" : $"customer-{i}", 10 + i);
        var delay = n == 1 ? TimeSpan.Zero : spread * i / (n - 1);
        return ScheduleRequest.After(AthomicSchedulerWebSampleTasks.ConfirmOrder(order, "order:" + order.OrderId), delay);
    }).ToList();
    var results = await scheduler.ScheduleManyAsync(requests);
    return Results.Ok(new { scheduled = results.Count, first = results[0].TaskId });
});

// A schedule with a payload, added (or left unchanged) at every start.
using (var scope = app.Services.CreateScope())
{
    var scheduler = scope.ServiceProvider.GetRequiredService<IScheduler>();
    await scheduler.AddOrUpdateRecurringDigestAsync("digest:ops", "ops", RecurringSchedule.Cron("*/30 * * * * *"));
}

app.MapAthomicSchedulerDashboard("/scheduler");
app.Run();
