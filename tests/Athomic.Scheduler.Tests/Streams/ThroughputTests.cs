using System.Diagnostics;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// Measures (prints, never asserts) no-op handler throughput through the streams broker: 1 and 3 worker processes on
/// one partition, and 3 processes on 4 partitions (one stream per partition).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ThroughputTests(ITestOutputHelper output)
{
    private const int TaskCount = 20_000;

    [Fact]
    public async Task Noop_handlers_through_the_streams_broker_with_1_and_3_processes()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var db = connection.GetDatabase();
        foreach (var (processes, partitions) in new[] { (1, 1), (3, 1), (3, 4) })
        {
            var prefix = $"tp{processes}p{partitions}";
            var runsKey = prefix + ":runs";
            var workers = await Task.WhenAll(Enumerable.Range(0, processes).Select(i =>
                WorkerProcess.StartAsync(server.ConnectionString, prefix, $"{prefix}-w{i}", runsKey, workMs: 0, visibilityMs: 30_000, 16, "--Athomic:Scheduler:Partitions=" + partitions)));
            try
            {
                using var scheduling = Hosts.Redis(connection, prefix, new RecordingRegistry(), o =>
                {
                    o.Worker.Enabled = false;
                    o.Partitions = partitions;
                });
                var requests = Enumerable.Range(0, TaskCount).Select(i => ScheduleRequest.After(new GenericTask("chaos.run", default, "n" + i), TimeSpan.Zero)).ToList();
                var clock = Stopwatch.StartNew();
                await scheduling.Services.GetRequiredService<IScheduler>().ScheduleManyAsync(requests);
                await Eventually.TrueAsync(async () => await db.HashLengthAsync(runsKey) >= TaskCount, TimeSpan.FromSeconds(120), "every task ran");
                clock.Stop();

                var line = $"throughput: {processes} process(es), {partitions} partition(s), {TaskCount} no-op tasks scheduled due now and run via the streams broker in " +
                    $"{clock.Elapsed.TotalSeconds:F2} s = {TaskCount / clock.Elapsed.TotalSeconds:F0} tasks/s ({Environment.ProcessorCount} cores shared with redis-server and the test)";
                output.WriteLine(line);
                Console.WriteLine(line);
            }
            finally
            {
                foreach (var worker in workers)
                {
                    await worker.DisposeAsync();
                }
            }
        }
    }
}
