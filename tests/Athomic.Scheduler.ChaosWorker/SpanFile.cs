using System.Diagnostics;
using System.Text.Json;
using Athomic.Scheduler.Observability;

namespace Athomic.Scheduler.ChaosWorker;

/// <summary>
/// With <c>--Chaos:SpanLog=&lt;file&gt;</c>: listens to the scheduler's spans and the handler's own
/// (<see cref="ChaosRegistry.Source"/>) and appends one JSON line per ended span to the file, for a test in another
/// process to check parents and links across the process boundary.
/// </summary>
public sealed class SpanFile : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly StreamWriter _writer;
    private readonly object _gate = new();

    public SpanFile(string path)
    {
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is SchedulerDiagnostics.ActivitySourceName or ChaosRegistry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Write,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private void Write(Activity activity)
    {
        var line = JsonSerializer.Serialize(new SpanLine(
            activity.DisplayName,
            activity.Kind.ToString(),
            activity.TraceId.ToHexString(),
            activity.SpanId.ToHexString(),
            activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
            activity.Links.Select(l => new SpanLink(l.Context.TraceId.ToHexString(), l.Context.SpanId.ToHexString())).ToArray(),
            activity.GetTagItem("messaging.message.id") as string ?? activity.GetTagItem("chaos.task_id") as string));
        lock (_gate)
        {
            _writer.WriteLine(line);
        }
    }
}

/// <summary>One ended span as a JSON line.</summary>
public sealed record SpanLine(string Name, string Kind, string TraceId, string SpanId, string? ParentSpanId, SpanLink[] Links, string? TaskId);

/// <summary>A link of a span.</summary>
public sealed record SpanLink(string TraceId, string SpanId);
