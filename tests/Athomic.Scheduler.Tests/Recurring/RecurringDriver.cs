using Athomic.Scheduler.Client;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>
/// Drives the in-memory store on a fake clock exactly as a worker does (add the next occurrences, claim, ack), jumping
/// the clock from one due time to the next, so a test can cover months of occurrences in milliseconds.
/// </summary>
internal sealed class RecurringDriver
{
    private readonly IScheduleStore _store;
    private readonly IRecurringStore _recurring;
    private readonly FakeTimeProvider _time;
    private readonly RecurringPump _pump;

    public RecurringDriver(DateTimeOffset start, TimeSpan? misfireThreshold = null, int partitions = 1)
    {
        _time = new FakeTimeProvider(start);
        (_store, _recurring, _) = partitions == 1
            ? InMemoryStores.Create(_time)
            : ScheduleStores.Partitioned(Enumerable.Range(0, partitions).Select(_ => InMemoryStores.Create(_time)).ToList(), new PartitionRouter(partitions, _time));
        var options = new SchedulerOptions { RecurringMisfireThreshold = misfireThreshold ?? TimeSpan.FromMinutes(1) };
        _pump = new RecurringPump(_recurring, options, NullLogger.Instance);
        Scheduler = new StoreScheduler(_store, _recurring, Microsoft.Extensions.Options.Options.Create(options), _time);
    }

    public IScheduler Scheduler { get; }

    public IScheduleStore Store => _store;

    /// <summary>How many claims added a recurring occurrence's successor (the atomic path).</summary>
    public int Chained { get; private set; }

    public FakeTimeProvider Time => _time;

    /// <summary>Every run so far: task id, due time (UTC) and payload text.</summary>
    public List<(string TaskId, DateTimeOffset Due, string Payload)> Runs { get; } = new();

    public IEnumerable<DateTimeOffset> RunTimes => Runs.Select(r => r.Due);

    /// <summary>All workers down: time passes, nothing runs.</summary>
    public void Down(TimeSpan time) => _time.Advance(time);

    /// <summary>
    /// Runs everything that falls due up to <paramref name="until"/>, moving the clock there; the clock jumps to the
    /// sooner of the next due task and the next schedule the pump must look at, as a worker's wait does.
    /// </summary>
    public async Task RunUntilAsync(DateTimeOffset until)
    {
        while (true)
        {
            var (_, _, pumpNext) = await _pump.PumpAsync(CancellationToken.None);
            var batch = await _store.ClaimAsync(100, TimeSpan.FromSeconds(30), CancellationToken.None);
            Chained += batch.RecurringDispatched;
            foreach (var entry in batch.Tasks)
            {
                var task = TaskEnvelope.Read(entry.Envelope);
                Runs.Add((entry.TaskId, DateTimeOffset.FromUnixTimeMilliseconds(entry.DueMilliseconds), System.Text.Encoding.UTF8.GetString(task.Payload.Span)));
                Assert.True(await _store.AckAsync(entry.Claim, CancellationToken.None));
            }

            if (batch.Tasks.Count > 0 || pumpNext == TimeSpan.Zero)
            {
                continue;
            }

            var next = batch.NextDueIn is { } due && (pumpNext is null || due < pumpNext) ? due : pumpNext;
            if (next is null || _time.GetUtcNow() + next > until)
            {
                _time.SetUtcNow(until);
                await _pump.PumpAsync(CancellationToken.None);
                return;
            }

            _time.Advance(next.Value);
        }
    }

    public static GenericTask Payload(string text) => new(RecordingRegistry.Record, System.Text.Encoding.UTF8.GetBytes(text));
}
