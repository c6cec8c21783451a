using System.Collections.Concurrent;
using System.Diagnostics;
using Athomic.Scheduler.Observability;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>
/// An OpenTelemetry tracer provider with the in-memory exporter over the scheduler's source and the test app's, plus
/// a processor that lets a test await the end of the span it expects instead of polling.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private readonly TracerProvider _provider;
    private readonly Waiter _waiter = new();

    public SpanRecorder()
    {
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(SchedulerDiagnostics.ActivitySourceName, TracedRegistry.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(Exported)
            .AddProcessor(_waiter)
            .Build()!;
    }

    /// <summary>Every span ended so far (of any test running meanwhile: filter by task id).</summary>
    public List<Activity> Exported { get; } = new();

    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (Exported)
            {
                return Exported.ToList();
            }
        }
    }

    /// <summary>Completes when <paramref name="count"/> spans matching <paramref name="match"/> have ended.</summary>
    public Task WhenEndedAsync(Func<Activity, bool> match, int count, TimeSpan timeout) => _waiter.WhenAsync(match, count).WaitAsync(timeout);

    public void Dispose() => _provider.Dispose();

    private sealed class Waiter : BaseProcessor<Activity>
    {
        private readonly ConcurrentQueue<Activity> _ended = new();
        private readonly List<(Func<Activity, bool> Match, int Count, TaskCompletionSource Done)> _waiters = new();

        public Task WhenAsync(Func<Activity, bool> match, int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                _waiters.Add((match, count, done));
                Check();
            }

            return done.Task;
        }

        public override void OnEnd(Activity data)
        {
            _ended.Enqueue(data);
            lock (_waiters)
            {
                Check();
            }
        }

        private void Check()
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_ended.Count(_waiters[i].Match) >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
