using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>
/// A schedule under its own key prefix, filled through the library as an application fills it: tasks scheduled with
/// <see cref="IScheduler"/>, dead letters made by a real worker whose handler throws, in-flight tasks held by a real
/// worker whose handler waits. The tool then reads and acts on it through its own connection.
/// </summary>
public sealed class ScheduleUnderTest : IAsyncDisposable
{
    public const string Ok = "cli.ok";
    public const string Fail = "cli.fail";
    public const string Hold = "cli.hold";

    /// <summary>A handler under flow control: one run at a time, 20 starts an hour, a 2-minute timeout, priority 3; its runs wait like <see cref="Hold"/>'s.</summary>
    public const string Limited = "cli.limited";

    private readonly ServiceProvider _client;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _failed = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IHost? _worker;

    private ScheduleUnderTest(string connectionString, string prefix, int partitions)
    {
        ConnectionString = connectionString;
        Prefix = prefix;
        Partitions = partitions;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAthomicScheduler(Configure).UseRedis(connectionString);
        _client = services.BuildServiceProvider();
    }

    public string ConnectionString { get; }

    public string Prefix { get; }

    public int Partitions { get; }

    public IScheduler Scheduler => _client.GetRequiredService<IScheduler>();

    public IDeadLetterQueue DeadLetters => _client.GetRequiredService<IDeadLetterQueue>();

    public ISchedulerOperations Operations => _client.GetRequiredService<ISchedulerOperations>();

    public static ScheduleUnderTest Create(string connectionString, int partitions = 1, string? prefix = null) =>
        new(connectionString, prefix ?? RedisFixture.NewPrefix(), partitions);

    /// <summary>The payload every seeded task carries: a MessagePack map the tool shows as JSON.</summary>
    public static byte[] Payload(int user) =>
        MessagePackSerializer.Serialize(new Dictionary<string, object> { ["user"] = user, ["plan"] = "pro" });

    public Task<string> ScheduleAsync(string id, TimeSpan delay, string handler = Ok, int user = 1) =>
        Scheduler.ScheduleAsync(new GenericTask(handler, Payload(user), id), delay);

    /// <summary>Schedules tasks whose handler throws on their first run (one attempt allowed), runs a worker until all are dead letters.</summary>
    public async Task DeadLetterAsync(params string[] ids)
    {
        var before = (await DeadLetters.ListAsync(0, 1)).Total;
        foreach (var id in ids)
        {
            await ScheduleAsync(id, TimeSpan.Zero, Fail);
        }

        await StartWorkerAsync();
        await Eventually.TrueAsync(async () => (await DeadLetters.ListAsync(0, 1)).Total >= before + ids.Length, "the failing tasks became dead letters");
        await StopWorkerAsync();
    }

    /// <summary>Schedules a task due now whose handler waits, and returns when a worker runs it (it stays in flight
    /// until this object is disposed).</summary>
    public async Task HoldInFlightAsync(string id)
    {
        var started = _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await ScheduleAsync(id, TimeSpan.Zero, Hold);
        await StartWorkerAsync();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Schedules tasks of <see cref="Limited"/> due now and returns when a worker runs one of them (it holds the one
    /// slot until this object is disposed) and the others wait.
    /// </summary>
    public async Task HoldLimitedAsync(params string[] ids)
    {
        var started = ids.Select(id => _started.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task).ToList();
        foreach (var id in ids)
        {
            await ScheduleAsync(id, TimeSpan.Zero, Limited);
        }

        await StartWorkerAsync();
        await Task.WhenAny(started).WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(
            async () => (await Operations.ListHandlersAsync()).Any(h => h is { Handler: Limited, SlotsInUse: 1 } && h.Waiting == ids.Length - 1),
            "one limited task runs and the others wait");
    }

    /// <summary>Starts a worker for the seeded handlers (it runs until this object is disposed).</summary>
    public Task RunWorkerAsync() => StartWorkerAsync();

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await StopWorkerAsync();
        await _client.DisposeAsync();
    }

    private void Configure(SchedulerOptions o)
    {
        o.KeyPrefix = Prefix;
        o.Partitions = Partitions;
        o.Worker.MinPollDelay = TimeSpan.FromMilliseconds(50);
        o.Worker.MaxPollDelay = TimeSpan.FromMilliseconds(500);
    }

    private async Task StartWorkerAsync()
    {
        if (_worker is not null)
        {
            return;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAthomicScheduler(Configure).UseRedis(ConnectionString).AddHandlers(new Registry(this));
        _worker = builder.Build();
        await _worker.StartAsync();
    }

    private async Task StopWorkerAsync()
    {
        if (_worker is { } worker)
        {
            _worker = null;
            await worker.StopAsync();
            worker.Dispose();
        }
    }

    /// <summary>Records the run's start, then waits until this object is disposed.</summary>
    private async ValueTask HoldAsync(TaskContext context, IServiceProvider services, CancellationToken cancellationToken)
    {
        _started.GetOrAdd(context.TaskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        await _release.Task.WaitAsync(cancellationToken);
    }

    private sealed class Registry(ScheduleUnderTest owner) : IScheduledHandlerRegistry
    {
        public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; } =
        [
            new(Ok, "Tests.Ok", null, (_, _, _) => ValueTask.CompletedTask),
            // Fails the first run of each id (so it becomes a dead letter); a requeued one then succeeds.
            new(Fail, "Tests.Fail", null, (ctx, _, _) => owner._failed.TryAdd(ctx.TaskId, 0)
                ? throw new InvalidOperationException($"boom: {ctx.TaskId} failed")
                : ValueTask.CompletedTask, maxAttempts: 1),
            new(Hold, "Tests.Hold", null, owner.HoldAsync),
            new(Limited, "Tests.Limited", null, owner.HoldAsync)
            {
                Flow = new HandlerFlowSpec
                {
                    MaxConcurrency = 1,
                    RateLimit = 20,
                    RateLimitWindow = TimeSpan.FromHours(1),
                    Timeout = TimeSpan.FromMinutes(2),
                    Priority = 3,
                },
            },
        ];
    }
}
