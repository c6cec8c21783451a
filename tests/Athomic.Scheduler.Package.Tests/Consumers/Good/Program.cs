// A consumer that knows Athomic.Scheduler only as a NuGet package: attribute, generator and runtime come from it.
using Athomic.Scheduler;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var ran = new TaskCompletionSource<Greeting>(TaskCreationOptions.RunContinuationsAsynchronously);
var builder = Host.CreateApplicationBuilder();
builder.Services.AddSingleton(ran);
builder.Services.AddAthomicScheduler(o =>
    {
        o.KeyPrefix = "consumer";
        o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(100);
    })
    .UseRedis(args[0])
    .AddScheduledHandlersFromConsumerApp();
using var host = builder.Build();
await host.StartAsync();

var scheduler = host.Services.GetRequiredService<IScheduler>();
var id = await scheduler.ScheduleGreetAsync(new Greeting("hello from the package", 42), TimeSpan.FromMilliseconds(200));
var greeting = await ran.Task.WaitAsync(TimeSpan.FromSeconds(30));
Console.WriteLine($"RAN {id} {greeting.Text} {greeting.Number}");
await host.StopAsync();

public sealed class Greeter(TaskCompletionSource<Greeting> ran)
{
    /// <summary>Greets.</summary>
    [ScheduledHandler("consumer.greet")]
    public Task Greet(Greeting greeting, CancellationToken cancellationToken)
    {
        ran.TrySetResult(greeting);
        return Task.CompletedTask;
    }
}

[MessagePackObject]
public sealed record Greeting([property: Key(0)] string Text, [property: Key(1)] int Number);
