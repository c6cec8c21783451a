using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// Handlers with flow control declared by hand (as the generator emits them), recording every run's start and end
/// outside Redis: the observed concurrency per handler and per key, and the start times.
/// </summary>
public sealed class FlowRegistry : IScheduledHandlerRegistry
{
    public const string Limited = "flow.limited";
    public const string PerKey = "flow.perkey";
    public const string Rated = "flow.rated";
    public const string Free = "flow.free";

    private readonly ConcurrentDictionary<string, int> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _maxRunning = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Handler, string TaskId, string? Key, DateTimeOffset Start)> _starts = new();
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];

    public FlowRegistry(int maxConcurrency = 2, int perKey = 1, int rate = 5, TimeSpan? window = null)
    {
        Handlers =
        [
            new ScheduledHandlerDescriptor(Limited, "Tests.Limited", null, (ctx, _, ct) => RunAsync(ctx, Limited, null, ct))
            {
                Flow = new HandlerFlowSpec { MaxConcurrency = maxConcurrency },
            },
            new ScheduledHandlerDescriptor(PerKey, "Tests.PerKey", "System.String", (ctx, _, ct) => RunAsync(ctx, PerKey, KeyOf(ctx.Payload), ct))
            {
                Flow = new HandlerFlowSpec { MaxConcurrencyPerKey = perKey, KeySelector = KeyOf },
            },
            new ScheduledHandlerDescriptor(Rated, "Tests.Rated", null, (ctx, _, ct) => RunAsync(ctx, Rated, null, ct))
            {
                Flow = new HandlerFlowSpec { RateLimit = rate, RateLimitWindow = window ?? TimeSpan.FromMilliseconds(500) },
            },
            new ScheduledHandlerDescriptor(Free, "Tests.Free", null, (ctx, _, ct) => RunAsync(ctx, Free, null, ct)),
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    /// <summary>While not completed, every run of a limited handler waits for it (after recording its start).</summary>
    public TaskCompletionSource Hold { get; set; } = Completed();

    /// <summary>How long each run works (after <see cref="Hold"/>).</summary>
    public TimeSpan Work { get; set; } = TimeSpan.FromMilliseconds(20);

    public IReadOnlyCollection<(string Handler, string TaskId, string? Key, DateTimeOffset Start)> Starts => _starts;

    public IReadOnlyDictionary<string, int> Runs => _runs;

    public int MaxRunning(string scope) => _maxRunning.GetValueOrDefault(scope);

    public int Running(string scope) => _running.GetValueOrDefault(scope);

    public static string KeyOf(ReadOnlyMemory<byte> payload) => Shared.TestPayloads.Deserialize<string>(payload);

    public static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    /// <summary>Completes when <paramref name="done"/> holds (checked after every run's start and end).</summary>
    public Task When(Func<bool> done, TimeSpan timeout)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            _waiters.Add((done, signal));
        }

        return signal.Task.WaitAsync(timeout);
    }

    public Task WhenRuns(string handler, int count, TimeSpan timeout) =>
        When(() => _runs.Where(r => r.Key.StartsWith(handler + ":", StringComparison.Ordinal)).Sum(r => r.Value) >= count, timeout);

    private async ValueTask RunAsync(TaskContext context, string handler, string? key, CancellationToken cancellationToken)
    {
        Enter(handler);
        if (key is not null)
        {
            Enter(handler + "#" + key);
        }

        _starts.Enqueue((handler, context.TaskId, key, DateTimeOffset.UtcNow));
        Check();
        try
        {
            if (handler != Free)
            {
                await Hold.Task.WaitAsync(cancellationToken);
            }

            await Task.Delay(Work, cancellationToken);
        }
        finally
        {
            _running.AddOrUpdate(handler, 0, (_, n) => n - 1);
            if (key is not null)
            {
                _running.AddOrUpdate(handler + "#" + key, 0, (_, n) => n - 1);
            }

            _runs.AddOrUpdate(handler + ":" + context.TaskId, 1, (_, n) => n + 1);
            Check();
        }
    }

    private void Enter(string scope)
    {
        var now = _running.AddOrUpdate(scope, 1, (_, n) => n + 1);
        _maxRunning.AddOrUpdate(scope, now, (_, max) => Math.Max(max, now));
    }

    private void Check()
    {
        lock (_gate)
        {
            foreach (var waiter in _waiters.Where(w => w.Done()).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Signal.TrySetResult();
            }
        }
    }
}
