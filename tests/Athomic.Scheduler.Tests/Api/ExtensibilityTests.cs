using System.Threading.Channels;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Api;

/// <summary>
/// What someone writing a store or a broker gets from <c>Athomic.Scheduler.Extensibility</c>: the builder plugs
/// them in, and the worker, the scheduler and the lease keeper use them like the built-in ones.
/// </summary>
public sealed class ExtensibilityTests
{
    [Fact]
    public async Task A_store_passed_to_UseStore_serves_scheduling_claims_and_acks()
    {
        var store = new CountingStore(InMemoryStores.Create());
        var registry = new RecordingRegistry();
        using var host = Build(b => b.UseStore(_ => store).AddHandlers(registry));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        await scheduler.ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "custom-store"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Volatile.Read(ref store.Acks) == 1, TimeSpan.FromSeconds(10), "the run is acked in the custom store");
        await host.StopAsync();

        Assert.Equal(1, Volatile.Read(ref store.Schedules));
        Assert.True(Volatile.Read(ref store.Claims) >= 1);
        Assert.True(Volatile.Read(ref store.RecurringPolls) >= 1, "the worker's recurring step goes to the same store");
        Assert.Null(await store.GetAsync("custom-store", CancellationToken.None));
    }

    [Fact]
    public async Task A_broker_passed_to_UseTaskBroker_receives_leases_and_its_retry_and_completion_reach_the_store()
    {
        var broker = new ForwardingBroker();
        var store = new CountingStore(InMemoryStores.Create());
        using var host = Build(b => b.UseStore(_ => store).UseTaskBroker(_ => broker));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await scheduler.ScheduleAsync(new GenericTask("forwarded", new byte[] { 0xA1, 0x78 }, "fwd-1"), TimeSpan.Zero);
        var first = await broker.Leases.Reader.ReadAsync(timeout.Token);
        Assert.Equal(("fwd-1", "forwarded", 1), (first.Task.TaskId, first.Task.Handler, first.Task.Attempt));
        Assert.Equal(new byte[] { 0xA1, 0x78 }, first.Task.Payload.ToArray());
        Assert.Equal(ScheduledTaskState.InFlight, (await scheduler.GetAsync("fwd-1"))!.State);

        await first.RetryAsync(TimeSpan.Zero, timeout.Token);
        var second = await broker.Leases.Reader.ReadAsync(timeout.Token);
        Assert.Equal(2, second.Task.Attempt);

        await second.CompleteAsync(timeout.Token);
        Assert.True(second.IsEnded);
        Assert.Null(await scheduler.GetAsync("fwd-1"));
        await host.StopAsync();
    }

    [Fact]
    public void A_task_broker_and_the_streams_broker_refuse_each_other_when_the_host_is_composed()
    {
        var services = new ServiceCollection();
        var builder = services.AddAthomicScheduler().UseRedis("127.0.0.1:1");
        builder.UseRedisStreamsBroker();
        var late = Assert.Throws<InvalidOperationException>(() => builder.UseTaskBroker(_ => new ForwardingBroker()));
        Assert.Contains("UseRedisStreamsBroker", late.Message, StringComparison.Ordinal);

        var other = new ServiceCollection().AddAthomicScheduler().UseRedis("127.0.0.1:1").UseTaskBroker(_ => new ForwardingBroker());
        var early = Assert.Throws<InvalidOperationException>(() => other.UseRedisStreamsBroker());
        Assert.Contains("UseTaskBroker", early.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Action<SchedulerBuilder> configure)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        configure(builder.Services.AddAthomicScheduler());
        return builder.Build();
    }

    /// <summary>A broker that forwards each lease elsewhere (here: a channel the test reads) and lets that side end it.</summary>
    private sealed class ForwardingBroker : ITaskBroker
    {
        public Channel<TaskLease> Leases { get; } = Channel.CreateUnbounded<TaskLease>();

        public ValueTask DispatchAsync(TaskLease lease, CancellationToken cancellationToken) => Leases.Writer.WriteAsync(lease, cancellationToken);
    }

    /// <summary>
    /// A store written by a user: here it counts calls and keeps the schedule, its recurring schedules and its dead
    /// letters in the inner stores.
    /// </summary>
    private sealed class CountingStore(ScheduleStores inner) : IScheduleStore, IRecurringStore, IDeadLetterStore
    {
        public int Schedules;
        public int Claims;
        public int Acks;
        public int RecurringPolls;

        public Task<ScheduleStatus[]> ScheduleAsync(IReadOnlyList<StoreItem> items, ExistingTaskPolicy policy, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Schedules);
            return inner.Schedule.ScheduleAsync(items, policy, cancellationToken);
        }

        public Task<ClaimBatch> ClaimAsync(int maxCount, TimeSpan lease, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Claims);
            return inner.Schedule.ClaimAsync(maxCount, lease, cancellationToken);
        }

        public Task<bool> AckAsync(TaskClaim claim, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Acks);
            return inner.Schedule.AckAsync(claim, cancellationToken);
        }

        public Task<RecurringDueBatch> GetDueRecurringAsync(int maxCount, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref RecurringPolls);
            return inner.Recurring.GetDueRecurringAsync(maxCount, cancellationToken);
        }

        public Task<bool> CancelAsync(string taskId, CancellationToken cancellationToken) => inner.Schedule.CancelAsync(taskId, cancellationToken);

        public Task<StoredTask?> GetAsync(string taskId, CancellationToken cancellationToken) => inner.Schedule.GetAsync(taskId, cancellationToken);

        public Task<IReadOnlyList<TaskClaim>> ExtendLeasesAsync(IReadOnlyCollection<TaskClaim> claims, TimeSpan lease, CancellationToken cancellationToken) =>
            inner.Schedule.ExtendLeasesAsync(claims, lease, cancellationToken);

        public Task<bool> RetryAsync(TaskClaim claim, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
            inner.Schedule.RetryAsync(claim, envelope, delay, cancellationToken);

        public Task<int> ReleaseAsync(IReadOnlyCollection<TaskClaim> claims, CancellationToken cancellationToken) => inner.Schedule.ReleaseAsync(claims, cancellationToken);

        public Task<bool> DeadLetterAsync(TaskClaim claim, ReadOnlyMemory<byte> record, CancellationToken cancellationToken) =>
            inner.Schedule.DeadLetterAsync(claim, record, cancellationToken);

        public Task<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(int maxCount, CancellationToken cancellationToken) => inner.DeadLetters.GetDeadLettersAsync(maxCount, cancellationToken);

        public Task<DeadLetterPage> ListDeadLettersAsync(int offset, int count, CancellationToken cancellationToken) => inner.DeadLetters.ListDeadLettersAsync(offset, count, cancellationToken);

        public Task<DeadLetter?> GetDeadLetterAsync(string taskId, CancellationToken cancellationToken) => inner.DeadLetters.GetDeadLetterAsync(taskId, cancellationToken);

        public Task<DeadLetterRequeueResult> RequeueDeadLetterAsync(string taskId, ReadOnlyMemory<byte> envelope, TimeSpan delay, CancellationToken cancellationToken) =>
            inner.DeadLetters.RequeueDeadLetterAsync(taskId, envelope, delay, cancellationToken);

        public Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string>? taskIds, CancellationToken cancellationToken) => inner.DeadLetters.PurgeDeadLettersAsync(taskIds, cancellationToken);

        public Task<IAsyncDisposable> SubscribeAsync(Action onEarlierTask, CancellationToken cancellationToken) => inner.Schedule.SubscribeAsync(onEarlierTask, cancellationToken);

        public Task<RecurringUpsertStatus> UpsertRecurringAsync(string scheduleId, ReadOnlyMemory<byte> definition, string? traceContext, CancellationToken cancellationToken) =>
            inner.Recurring.UpsertRecurringAsync(scheduleId, definition, traceContext, cancellationToken);

        public Task<bool> RemoveRecurringAsync(string scheduleId, CancellationToken cancellationToken) => inner.Recurring.RemoveRecurringAsync(scheduleId, cancellationToken);

        public Task<RecurringAddStatus> AddOccurrenceAsync(RecurringAddRequest request, CancellationToken cancellationToken) =>
            inner.Recurring.AddOccurrenceAsync(request, cancellationToken);
    }
}
