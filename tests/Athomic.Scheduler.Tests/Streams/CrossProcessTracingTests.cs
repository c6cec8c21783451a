using System.Diagnostics;
using System.Text.Json;
using Athomic.Scheduler.Testing;
using Athomic.Scheduler.Tests.Infrastructure;
using Athomic.Scheduler.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// Tracing across two processes with the streams broker: this process schedules inside a span (exported by
/// OpenTelemetry's in-memory exporter); a chaos worker process runs the task and writes its spans as JSON lines. The
/// run's consumer span there links to the producer span here, and the handler's span there is its child.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class CrossProcessTracingTests
{
    [Fact]
    public async Task The_run_in_another_process_links_to_the_schedule_call_here()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        using var spans = new SpanRecorder();
        var spanLog = Path.Combine(server.DataDirectory, "spans.jsonl");
        await using var worker = await WorkerProcess.StartAsync(
            server.ConnectionString, "xtrace", "xtrace-w1", "xtrace:runs", workMs: 0, visibilityMs: 30_000, 4, "--Chaos:SpanLog=" + spanLog);
        using var scheduling = Hosts.Redis(connection, "xtrace", new TracedRegistry(), o => o.Worker.Enabled = false);

        string id;
        ActivityContext caller;
        using (var call = TracedRegistry.Source.StartActivity("caller"))
        {
            caller = call!.Context;
            id = await scheduling.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask("chaos.run", default), TimeSpan.FromMilliseconds(200));
        }

        // Another process writes the file: no event to await here.
        await Eventually.TrueAsync(() => Read(spanLog).Count(s => s.TaskId == id) >= 2, TimeSpan.FromSeconds(60), "the worker process ended the run's and the handler's spans");

        var producer = Assert.Single(spans.Spans, a => a.Kind == ActivityKind.Producer && (a.GetTagItem("messaging.message.id") as string) == id);
        Assert.Equal((caller.TraceId, caller.SpanId), (producer.TraceId, producer.ParentSpanId));
        var there = Read(spanLog).Where(s => s.TaskId == id).ToList();
        var run = Assert.Single(there, s => s.Kind == nameof(ActivityKind.Consumer));
        var work = Assert.Single(there, s => s.Name == "chaos work");
        Assert.Equal("process chaos.run", run.Name);
        Assert.Null(run.ParentSpanId);
        var link = Assert.Single(run.Links);
        Assert.Equal((producer.TraceId.ToHexString(), producer.SpanId.ToHexString()), (link.TraceId, link.SpanId));
        Assert.Equal((run.TraceId, run.SpanId), (work.TraceId, work.ParentSpanId));
    }

    private static List<Line> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<Line>();
        while (reader.ReadLine() is { Length: > 0 } text)
        {
            if (text.EndsWith('}')) // the last line may still be being written
            {
                lines.Add(JsonSerializer.Deserialize<Line>(text)!);
            }
        }

        return lines;
    }

    private sealed record Line(string Name, string Kind, string TraceId, string SpanId, string? ParentSpanId, LineLink[] Links, string? TaskId);

    private sealed record LineLink(string TraceId, string SpanId);
}
