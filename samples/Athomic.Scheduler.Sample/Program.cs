// Athomic.Scheduler sample: sign-up → welcome email, trial end later, reminders cancelled on upgrade.
//   dotnet run --project samples/Athomic.Scheduler.Sample                       (embedded in-memory store)
//   dotnet run --project samples/Athomic.Scheduler.Sample -- --keep-running     (stay up after the demo)
//   Athomic__Scheduler__RedisConnectionString=localhost:6379 dotnet run --project samples/Athomic.Scheduler.Sample
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var keepRunning = args.Contains("--keep-running");
var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--keep-running").ToArray());
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var scheduler = builder.Services.AddAthomicScheduler(builder.Configuration.GetSection(SchedulerOptions.SectionName));
var redis = builder.Configuration[$"{SchedulerOptions.SectionName}:RedisConnectionString"];
if (string.IsNullOrWhiteSpace(redis))
{
    scheduler.UseInMemoryStore();
}
else
{
    scheduler.UseRedis();
}

scheduler.AddHandlers(new SampleHandlerRegistry());
builder.Services.AddScoped<AccountHandlers>();
builder.Services.AddSingleton<Timeline>();
builder.Services.AddSingleton<DemoProgress>();
builder.Services.AddSingleton(new DemoSettings(keepRunning));
builder.Services.AddHostedService<Demo>();

using var host = builder.Build();
host.Services.GetRequiredService<Timeline>().Write("START", string.IsNullOrWhiteSpace(redis) ? "store: embedded in-memory" : $"store: Redis at {redis.Split(',')[0]}");
await host.RunAsync();
