// A consumer that passes the wrong payload type to a generated method: its build must fail (CS1503).
using Athomic.Scheduler;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;

var services = new ServiceCollection();
services.AddAthomicScheduler().UseInMemoryStore().AddScheduledHandlersFromConsumerApp();
var scheduler = services.BuildServiceProvider().GetRequiredService<IScheduler>();
await scheduler.ScheduleGreetAsync("a string is not a Greeting", TimeSpan.Zero);

public static class Greeter
{
    [ScheduledHandler("consumer.greet")]
    public static void Greet(Greeting greeting)
    {
    }
}

[MessagePackObject]
public sealed record Greeting([property: Key(0)] string Text);
