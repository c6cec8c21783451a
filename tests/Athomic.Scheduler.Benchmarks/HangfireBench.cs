using System.Diagnostics;
using Hangfire;
using Hangfire.Redis.StackExchange;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>The peer users would otherwise pick: Hangfire with its Redis storage, on the same redis-server.</summary>
internal static class HangfireBench
{
    private const string Prefix = "{hangfire}:";

    public static BackgroundJobClient Client(IConnectionMultiplexer connection)
    {
        var storage = new RedisStorage(connection, new RedisStorageOptions { Prefix = Prefix });
        return new BackgroundJobClient(storage);
    }

    /// <summary><c>BackgroundJobClient.Schedule</c> calls per second from <paramref name="callers"/> concurrent callers.</summary>
    public static async Task<(int Count, TimeSpan Elapsed)> ScheduleAsync(BackgroundJobClient client, int count, int callers)
    {
        client.Schedule(() => NoOpJob.Run(-1), TimeSpan.FromDays(1)); // warm-up
        var sw = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                client.Schedule(() => NoOpJob.Run(i), TimeSpan.FromDays(1));
            }
        })));
        return (count, sw.Elapsed);
    }
}

/// <summary>The job Hangfire schedules; never run in the benchmark (due in a day).</summary>
public static class NoOpJob
{
    public static void Run(int number) => GC.KeepAlive(number);
}
