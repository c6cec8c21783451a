using System.Collections.Concurrent;
using System.Diagnostics;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Streams;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// An entry this consumer lost track of (a command on the streams failed: here its ack, in a reset of its connections)
/// stays pending in its name, held by nobody, until a reclaim sweep takes it over. Found by the fault harness
/// (<c>faults-streams-p4</c>, seeds 544930821, 1515151481, 1511761194: such entries waited 4-7 s past the visibility
/// timeout, bound 3.2 s) once the idle-cost change (issue 23) paced the sweeps to one per 3 s over all partitions, 12 s
/// per partition at four. After a lost track the consumer sweeps at the unpaced rate (every half visibility timeout)
/// for a while, so the task runs again soon after the entry can be taken over; an idle consumer stays paced.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class LostTrackTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int Partitions = 4;
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task An_entry_whose_ack_failed_in_a_reset_runs_again_soon_after_the_reset_ends()
    {
        // The last partition: every partition sweeps at start, and the paced sweeps spread them over 3 s x 4, so its
        // second sweep would come 12 s after the start.
        var id = Enumerable.Range(0, 100).Select(i => "lost-" + i).First(i => TaskPartitioner.PartitionOf(i, Partitions) == Partitions - 1);
        var handler = new GatedHandler();
        await using var proxy = new FaultProxy(redis.Server.Port);
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"{proxy.EndPoint},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000");
        using var host = Hosts.Redis(connection, RedisFixture.NewPrefix(), handler, o =>
        {
            o.Partitions = Partitions;
            o.Worker.LeaseDuration = o.Streams.VisibilityTimeout = Visibility;
        }, streams: true);
        await host.StartAsync();
        var broker = host.Services.GetRequiredService<RedisStreamsBroker>();
        await Eventually.TrueAsync(() => broker.ReclaimScans >= Partitions, TimeSpan.FromSeconds(30), "every partition swept once");

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(GatedHandler.Name, default, id), TimeSpan.Zero);
        await handler.Started(1);

        // The connections are reset and refused for 1.5 s, past the client's 1 s timeout: the ack of the run, which ends
        // now, waits in the client's backlog and times out there, so the entry stays pending in this consumer's name.
        var reset = proxy.RunAsync(new Fault(FaultKind.Reset, FaultDirection.Both, TimeSpan.FromMilliseconds(1500)));
        handler.Release.TrySetResult();
        await reset;
        var healed = Stopwatch.StartNew();

        // The entry's idle time was last reset before the fault (its keep-alives fail in it): it can be taken over about
        // now. A sweep takes it within half a visibility timeout once the connections are back (0.5-1.4 s seen); two
        // visibility timeouts bound that with slack for a loaded machine, well short of the paced sweep (10.2-10.4 s seen
        // before the fix).
        await handler.Started(2);
        var waited = healed.Elapsed;
        await host.StopAsync();
        output.WriteLine($"ran again {waited.TotalMilliseconds:F0} ms after the reset ended");
        Assert.True(waited <= 2 * Visibility, $"the entry left pending by the failed ack ran again {waited.TotalMilliseconds:F0} ms after the reset ended (at most {(2 * Visibility).TotalMilliseconds:F0} ms)");
    }

    /// <summary>One handler whose first run waits for <see cref="Release"/>; every run's start is counted.</summary>
    private sealed class GatedHandler : IScheduledHandlerRegistry
    {
        public const string Name = "lost-track.gated";

        private readonly ConcurrentDictionary<int, TaskCompletionSource> _started = new();
        private int _runs;

        public GatedHandler() =>
            Handlers = [new ScheduledHandlerDescriptor(Name, "Tests.Streams.Gated", null, async (_, _, _) =>
            {
                var run = Interlocked.Increment(ref _runs);
                Run(run).TrySetResult();
                if (run == 1)
                {
                    await Release.Task;
                }
            })];

        public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

        /// <summary>Lets the first run end.</summary>
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when run <paramref name="number"/> (1-based) has started; gives up after 30 s.</summary>
        public Task Started(int number) => Run(number).Task.WaitAsync(TimeSpan.FromSeconds(30));

        private TaskCompletionSource Run(int number) => _started.GetOrAdd(number, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
