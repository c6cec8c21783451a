// Athomic.Scheduler sample: sign-up → welcome email, trial end later, reminders cancelled on upgrade.
//   dotnet run --project samples/Athomic.Scheduler.Sample                       (embedded Garnet, data in ./.sample-data)
//   dotnet run --project samples/Athomic.Scheduler.Sample -- --keep-running     (stay up after the demo)
//   Athomic__Scheduler__RedisConnectionString=localhost:6379 dotnet run --project samples/Athomic.Scheduler.Sample
//   dotnet run --project samples/Athomic.Scheduler.Sample -- --otel             (OpenTelemetry console exporter: spans and metrics)
using Athomic.Scheduler;
using Athomic.Scheduler.Garnet;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Observability;
using Athomic.Scheduler.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

var keepRunning = args.Contains("--keep-running");
var otel = args.Contains("--otel");
var builder = Host.CreateApplicationBuilder(args.Where(a => a is not "--keep-running" and not "--otel").ToArray());
builder.Logging.SetMinimumLevel(LogLevel.Warning);
if (otel)
{
    // Every span of the scheduler (schedule {handler}, process {handler}) and its metrics, printed to the console.
    builder.Services.AddOpenTelemetry()
        .WithTracing(t => t.AddSource(SchedulerDiagnostics.ActivitySourceName).AddConsoleExporter())
        .WithMetrics(m => m.AddMeter(SchedulerDiagnostics.MeterName)
            .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 5000));
}

builder.Services.AddHealthChecks().AddAthomicSchedulerHealthChecks();

var scheduler = builder.Services.AddAthomicScheduler(builder.Configuration.GetSection(SchedulerOptions.SectionName));
var redis = builder.Configuration[$"{SchedulerOptions.SectionName}:RedisConnectionString"];
var dataDirectory = builder.Configuration["Sample:DataDirectory"] ?? ".sample-data";
if (string.IsNullOrWhiteSpace(redis))
{
    scheduler.UseEmbeddedGarnet(dataDirectory); // persistent: tasks survive a restart of the sample
}
else
{
    scheduler.UseRedis();
}

scheduler.AddScheduledHandlersFromAthomicSchedulerSample(); // generated from the [ScheduledHandler] methods
builder.Services.AddSingleton<Timeline>();
builder.Services.AddSingleton<DemoProgress>();
builder.Services.AddSingleton(new DemoSettings(keepRunning));
builder.Services.AddHostedService<Demo>();

using var host = builder.Build();
host.Services.GetRequiredService<Timeline>().Write("START", string.IsNullOrWhiteSpace(redis)
    ? $"store: embedded Garnet, persisted in {Path.GetFullPath(dataDirectory)}"
    : $"store: Redis at {redis.Split(',')[0]}");
await host.RunAsync();
