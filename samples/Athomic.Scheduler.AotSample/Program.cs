// Athomic.Scheduler under Native AOT: one typed task and one recurring schedule, run through the worker.
//   dotnet publish samples/Athomic.Scheduler.AotSample -c Release -r linux-x64 -o out
//   out/Athomic.Scheduler.AotSample localhost:6379          (or set ATHOMIC_REDIS; default localhost:6379)
//   dotnet run --project samples/Athomic.Scheduler.AotSample -- localhost:6379   (under the JIT, with dynamic code off as in
//   the native program: PublishAot=true makes `dotnet run` refuse Reflection.Emit too, so AOT problems show up here first)
// Exits 0 when both ran and the payload came back equal, 1 on a failure, 2 on a timeout.
using System.Diagnostics;
using System.Runtime;
using Athomic.Scheduler;
using Athomic.Scheduler.AotSample;
using Athomic.Scheduler.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var redis = args.FirstOrDefault() ?? Environment.GetEnvironmentVariable("ATHOMIC_REDIS") ?? "localhost:6379";
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<Received>();
builder.Services.AddAthomicScheduler(o =>
    {
        o.KeyPrefix = "aot-sample";
        o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(100);
    })
    .UseRedis(redis)
    .AddScheduledHandlersFromAthomicSchedulerAotSample(); // generated from the [ScheduledHandler] methods

using var host = builder.Build();
await host.StartAsync();
var startup = DateTime.Now - Process.GetCurrentProcess().StartTime;
var jitted = JitInfo.GetCompiledMethodCount(); // 0 in a native executable: nothing is compiled at run time
Console.WriteLine($"STARTED in {startup.TotalMilliseconds:F0} ms ({(jitted == 0 ? "Native AOT" : $"JIT, {jitted} methods compiled")})");

var scheduler = host.Services.GetRequiredService<IScheduler>();
var received = host.Services.GetRequiredService<Received>();
var sent = new OrderShipped("Ada Lovelace", 3, Guid.NewGuid(), new DateTimeOffset(2026, 11, 5, 14, 30, 0, TimeSpan.FromHours(1)),
    ["tea", "scones"], Carrier.Courier, new Address("London", "UK"));

// The first encode and decode of a payload type: what the generated scheduling method and handler registry do, timed
// on their own. No formatter is built at run time, so this is the cost of the code itself (and, under the JIT, of
// compiling it).
var clock = Stopwatch.StartNew();
var bytes = AthomicSchedulerAotSamplePayloadResolver.Serialize(sent);
var decoded = ScheduledPayload.Deserialize(bytes, "first", AthomicSchedulerAotSamplePayloadResolver.Instance.GetFormatter<OrderShipped>()!, null);
Console.WriteLine($"FIRST PAYLOAD encoded and decoded in {clock.Elapsed.TotalMicroseconds:F0} µs ({bytes.Length} bytes, {(decoded.SameAs(sent) ? "equal" : "CHANGED")})");

var timeout = TimeSpan.FromSeconds(30);
try
{
    var id = await scheduler.ScheduleOrderShippedAsync(sent, TimeSpan.FromMilliseconds(200));
    var order = await received.Order.Task.WaitAsync(timeout);
    if (!order.SameAs(sent))
    {
        Console.WriteLine($"FAILED the payload changed on its way: sent {sent}, received {order}");
        return 1;
    }

    Console.WriteLine($"RAN {id}: {order.Customer} x{order.Quantity} [{string.Join(", ", order.Items)}] by {order.Carrier} to {order.ShipTo.City} at {order.ShippedAt:O}");

    await scheduler.AddOrUpdateRecurringHeartbeatAsync("aot-sample:heartbeat", new Heartbeat("aot-sample"), RecurringSchedule.Every(TimeSpan.FromSeconds(1)));
    var occurrence = await received.Occurrence.Task.WaitAsync(timeout);
    Console.WriteLine($"RECURRING {occurrence}");
    await scheduler.RemoveRecurringAsync("aot-sample:heartbeat");
}
catch (TimeoutException)
{
    Console.WriteLine($"TIMEOUT a handler did not run within {timeout.TotalSeconds} s");
    return 2;
}
catch (Exception ex)
{
    Console.WriteLine($"FAILED {ex}");
    return 1;
}
finally
{
    await host.StopAsync();
}

return 0;
