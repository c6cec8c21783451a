using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Tests.Flow;

/// <summary>
/// A hand-written registry (the generator fills <see cref="ScheduledHandlerDescriptor.Flow"/> in real apps) whose
/// handlers report each run's events, so tests await them instead of sleeping. Runs are numbered 1, 2, … in the order
/// they start; each test schedules one task.
/// </summary>
public sealed class FlowProbe : IScheduledHandlerRegistry
{
    /// <summary>Waits for its token (Timeout <see cref="Timeout"/>, 2 attempts).</summary>
    public const string AwaitsToken = "flow.awaits-token";

    /// <summary>
    /// Ignores its token until the test opens the run's <see cref="RunEvents.Gate"/> (Timeout <see cref="Timeout"/>, 2
    /// attempts); then, with payload <c>[1]</c>, throws if its token was cancelled, else returns.
    /// </summary>
    public const string Overruns = "flow.overruns";

    /// <summary>No Timeout: its first run waits for its token (a run the test makes lose its claim); later runs return.</summary>
    public const string Stalls = "flow.stalls";

    /// <summary>One run at a time cluster-wide (<c>MaxConcurrency = 1</c>), no Timeout: its first run waits for its token, later runs return.</summary>
    public const string OneSlot = "flow.one-slot";

    /// <summary>No limits, no Timeout: every run waits for its token.</summary>
    public const string Waits = "flow.waits";

    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentDictionary<int, RunEvents> _runs = new();
    private int _started;
    private int _running;
    private int _mostRunning;

    public FlowProbe()
    {
        var flow = new HandlerFlowSpec { Timeout = Timeout };
        Handlers =
        [
            new ScheduledHandlerDescriptor(AwaitsToken, "Tests.Flow.AwaitsToken", null, (ctx, _, ct) => Probe(ctx, ct, (_, token) => Task.Delay(System.Threading.Timeout.Infinite, token)), maxAttempts: 2) { Flow = flow },
            new ScheduledHandlerDescriptor(Overruns, "Tests.Flow.Overruns", null, (ctx, _, ct) => Probe(ctx, ct, async (run, token) =>
            {
                await run.Gate.Task; // deliberately not the token: the handler overruns its Timeout
                if (ctx.Payload.Span.SequenceEqual(new byte[] { 1 }))
                {
                    token.ThrowIfCancellationRequested();
                }
            }), maxAttempts: 2) { Flow = flow },
            new ScheduledHandlerDescriptor(Stalls, "Tests.Flow.Stalls", null, (ctx, _, ct) => Probe(ctx, ct, (run, token) =>
                run.Number == 1 ? Task.Delay(System.Threading.Timeout.Infinite, token) : Task.CompletedTask), maxAttempts: 3),
            new ScheduledHandlerDescriptor(Waits, "Tests.Flow.Waits", null, (ctx, _, ct) => Probe(ctx, ct, (_, token) => Task.Delay(System.Threading.Timeout.Infinite, token))),
            new ScheduledHandlerDescriptor(OneSlot, "Tests.Flow.OneSlot", null, (ctx, _, ct) => Probe(ctx, ct, (run, token) =>
                run.Number == 1 ? Task.Delay(System.Threading.Timeout.Infinite, token) : Task.CompletedTask), maxAttempts: 3)
            {
                Flow = new HandlerFlowSpec { MaxConcurrency = 1 },
            },
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    /// <summary>How many runs started.</summary>
    public int Started => Volatile.Read(ref _started);

    /// <summary>The most runs (of any handler) that were going at once.</summary>
    public int MostRunning => Volatile.Read(ref _mostRunning);

    /// <summary>The events of run <paramref name="number"/> (1-based, in start order), whether it started yet or not.</summary>
    public RunEvents Run(int number) => _runs.GetOrAdd(number, n => new RunEvents(n));

    private async ValueTask Probe(TaskContext ctx, CancellationToken ct, Func<RunEvents, CancellationToken, Task> body)
    {
        var run = Run(Interlocked.Increment(ref _started));
        var running = Interlocked.Increment(ref _running);
        for (var most = Volatile.Read(ref _mostRunning); running > most && Interlocked.CompareExchange(ref _mostRunning, running, most) != most; most = Volatile.Read(ref _mostRunning))
        {
        }

        using var cancelled = ct.Register(() => run.Cancelled.TrySetResult());
        run.Begin.TrySetResult(ctx.Attempt);
        try
        {
            await body(run, ct);
            Interlocked.Decrement(ref _running);
            run.End.TrySetResult("returned");
        }
        catch (Exception ex)
        {
            Interlocked.Decrement(ref _running);
            run.End.TrySetResult(ex.GetType().Name);
            throw;
        }
    }

    /// <summary>What one run did; every wait gives up after 30 s.</summary>
    public sealed class RunEvents(int number)
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

        public int Number { get; } = number;

        /// <summary>Completes with the run's attempt when it starts.</summary>
        public TaskCompletionSource<int> Begin { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the run's token is cancelled.</summary>
        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes with <c>returned</c> or the exception's type name when the handler ends.</summary>
        public TaskCompletionSource<string> End { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Opened by the test to let an <see cref="Overruns"/> run end.</summary>
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<int> Started() => Begin.Task.WaitAsync(Limit);

        public Task TokenCancelled() => Cancelled.Task.WaitAsync(Limit);

        public Task<string> Ended() => End.Task.WaitAsync(Limit);
    }
}
