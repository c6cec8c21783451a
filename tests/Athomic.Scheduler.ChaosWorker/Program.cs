// A worker host for the chaos and throughput tests: the Redis store and the Redis Streams broker, one handler that
// records every run in Redis (HINCRBY on the hash named by Chaos:RunsKey, field = task id), run as a separate OS
// process so a test can SIGKILL it. Configuration comes from the command line, e.g.
//   dotnet Athomic.Scheduler.ChaosWorker.dll --Athomic:Scheduler:RedisConnectionString=127.0.0.1:6379
//       --Athomic:Scheduler:KeyPrefix=chaos --Athomic:Scheduler:Streams:ConsumerName=w1 --Chaos:RunsKey=chaos:runs --Chaos:WorkMs=2
// --Chaos:Broker=inprocess uses the in-process broker instead of the streams broker. Both work with
// --Athomic:Scheduler:Partitions greater than 1, e.g. on a Redis Cluster connection string "h1:p1,h2:p2,h3:p3".
// --Chaos:HarnessLog=<file> also registers the contention harness's handler (tests/Shared/Contention), which appends
// one line per run start and end to that file: the run history kept outside Redis.
// --Chaos:SpanLog=<file> appends every ended span of the scheduler and of the handler to that file as JSON lines.
// Prints "READY <consumer>" once the host has started.
using Athomic.Scheduler.ChaosWorker;
using Athomic.Scheduler;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Testing.Contention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
var section = builder.Configuration.GetSection(SchedulerOptions.SectionName);
var connectionString = section["RedisConnectionString"] ?? throw new InvalidOperationException("--Athomic:Scheduler:RedisConnectionString is required.");
var config = ConfigurationOptions.Parse(connectionString);
config.AbortOnConnectFail = false;
var connection = await ConnectionMultiplexer.ConnectAsync(config);
builder.Services.AddSingleton<IConnectionMultiplexer>(connection);
builder.Services.AddSingleton(new ChaosSettings(
    builder.Configuration["Chaos:RunsKey"] ?? "chaos:runs",
    TimeSpan.FromMilliseconds(builder.Configuration.GetValue("Chaos:WorkMs", 0))));
var scheduler = builder.Services.AddAthomicScheduler(section).UseRedis(_ => connection).AddHandlers(new ChaosRegistry());
if (builder.Configuration["Chaos:HarnessLog"] is { Length: > 0 } harnessLog)
{
    var sink = new FileRunSink(harnessLog);
    builder.Services.AddSingleton(sink);
    scheduler.AddHandlers(new ContentionRegistry(sink));
}

if (!string.Equals(builder.Configuration["Chaos:Broker"], "inprocess", StringComparison.OrdinalIgnoreCase))
{
    scheduler.UseRedisStreamsBroker();
}

using var spans = builder.Configuration["Chaos:SpanLog"] is { Length: > 0 } spanLog ? new SpanFile(spanLog) : null;
using var host = builder.Build();
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    Console.WriteLine("READY " + (section["Streams:ConsumerName"] ?? "(generated)")));
await host.RunAsync();
