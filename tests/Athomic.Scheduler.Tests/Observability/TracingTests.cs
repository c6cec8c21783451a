using System.Diagnostics;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>
/// Spans across a real Redis round trip, exported by OpenTelemetry's in-memory exporter: the caller's span is the
/// parent of the producer span, the run's consumer span links to the producer span (however long the delay), and the
/// handler's own span is a child of the run.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class TracingTests(RedisFixture redis) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly SpanRecorder _spans = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_run_links_to_the_schedule_call_and_the_handler_span_nests_under_the_run(bool streams)
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new TracedRegistry(), streams: streams);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IScheduler>();

        string id;
        ActivityContext caller;
        using (var call = TracedRegistry.Source.StartActivity("caller"))
        {
            caller = call!.Context;
            id = await scheduler.ScheduleAsync(new GenericTask(TracedRegistry.Nested, default), TimeSpan.FromMilliseconds(200));
        }

        await _spans.WhenEndedAsync(a => IsRun(a, id), 1, Timeout);
        await host.StopAsync();

        var producer = Assert.Single(_spans.Spans, a => a.Kind == ActivityKind.Producer && Tag(a, "messaging.message.id") == id);
        var run = Assert.Single(_spans.Spans, a => IsRun(a, id));
        var work = Assert.Single(_spans.Spans, a => a.DisplayName == "handler work " + id);

        Assert.Equal("schedule " + TracedRegistry.Nested, producer.DisplayName);
        Assert.Equal((caller.TraceId, caller.SpanId), (producer.TraceId, producer.ParentSpanId));
        Assert.Equal(("athomic.scheduler", "schedule", "send", TracedRegistry.Nested), (Tag(producer, "messaging.system"), Tag(producer, "messaging.operation.name"), Tag(producer, "messaging.operation.type"), Tag(producer, "messaging.destination.name")));

        Assert.Equal("process " + TracedRegistry.Nested, run.DisplayName);
        Assert.Equal(ActivityKind.Consumer, run.Kind);
        Assert.Equal(default, run.ParentSpanId);
        var link = Assert.Single(run.Links);
        Assert.Equal((producer.TraceId, producer.SpanId), (link.Context.TraceId, link.Context.SpanId));
        Assert.Equal(("process", "process", TracedRegistry.Nested), (Tag(run, "messaging.operation.name"), Tag(run, "messaging.operation.type"), Tag(run, "messaging.destination.name")));
        Assert.Equal(1, run.GetTagItem("athomic.scheduler.attempt"));
        Assert.Equal(0, run.GetTagItem("athomic.scheduler.partition"));
        Assert.InRange(Assert.IsType<double>(run.GetTagItem("athomic.scheduler.lateness")), 0, 30);
        Assert.Equal(ActivityStatusCode.Unset, run.Status);

        Assert.Equal((run.TraceId, run.SpanId), (work.TraceId, work.ParentSpanId));
    }

    [Fact]
    public async Task A_batch_is_one_producer_span_that_every_run_links_to()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new TracedRegistry());
        var scheduler = host.Services.GetRequiredService<IScheduler>();
        var ids = Enumerable.Range(0, 3).Select(i => $"{prefix}-b{i}").ToArray();

        await scheduler.ScheduleManyAsync(ids.Select(i => ScheduleRequest.After(new GenericTask(TracedRegistry.Nested, default, i), TimeSpan.Zero)).ToList());
        await host.StartAsync();
        await _spans.WhenEndedAsync(a => ids.Any(i => IsRun(a, i)), 3, Timeout);
        await host.StopAsync();

        var batch = Assert.Single(_spans.Spans, a => a.Kind == ActivityKind.Producer && ids.All(i => _spans.Spans.Any(r => IsRun(r, i) && r.Links.Any(l => l.Context.SpanId == a.SpanId))));
        Assert.Equal(3, batch.GetTagItem("messaging.batch.message_count"));
        Assert.Equal("schedule " + TracedRegistry.Nested, batch.DisplayName);
    }

    [Fact]
    public async Task A_failed_run_records_the_exception_and_its_retry_links_to_the_same_schedule_call()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new TracedRegistry());
        await host.StartAsync();
        var id = await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(TracedRegistry.Fail, default), TimeSpan.Zero);

        await _spans.WhenEndedAsync(a => IsRun(a, id), 2, Timeout);
        await host.StopAsync();

        var producer = Assert.Single(_spans.Spans, a => a.Kind == ActivityKind.Producer && Tag(a, "messaging.message.id") == id);
        var runs = _spans.Spans.Where(a => IsRun(a, id)).OrderBy(a => a.GetTagItem("athomic.scheduler.attempt")).ToList();
        Assert.Equal([1, 2], runs.Select(r => (int)r.GetTagItem("athomic.scheduler.attempt")!));
        Assert.All(runs, r => Assert.Equal(producer.SpanId, Assert.Single(r.Links).Context.SpanId));

        Assert.Equal(ActivityStatusCode.Error, runs[0].Status);
        var exception = Assert.Single(runs[0].Events, e => e.Name == "exception");
        Assert.Equal(typeof(InvalidOperationException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal(ActivityStatusCode.Unset, runs[1].Status);
    }

    [Fact]
    public async Task Every_recurring_occurrence_links_to_the_call_that_stored_its_schedule()
    {
        var prefix = RedisFixture.NewPrefix();
        using var host = Hosts.Redis(redis.Connection, prefix, new TracedRegistry());
        await host.StartAsync();
        var scheduleId = prefix + "-every";

        ActivityContext caller;
        using (var call = TracedRegistry.Source.StartActivity("caller"))
        {
            caller = call!.Context;
            await host.Services.GetRequiredService<IScheduler>().AddOrUpdateRecurringAsync(
                scheduleId, new GenericTask(TracedRegistry.Nested, default), RecurringSchedule.Every(TimeSpan.FromSeconds(1)));
        }

        await _spans.WhenEndedAsync(a => IsOccurrence(a, scheduleId), 2, Timeout);
        await host.StopAsync();

        var upsert = Assert.Single(_spans.Spans, a => a.Kind == ActivityKind.Producer && Tag(a, "athomic.scheduler.recurring.schedule_id") == scheduleId);
        Assert.Equal(("schedule " + TracedRegistry.Nested, "create", "Created"), (upsert.DisplayName, Tag(upsert, "messaging.operation.type"), Tag(upsert, "athomic.scheduler.recurring.status")));
        Assert.Equal((caller.TraceId, caller.SpanId), (upsert.TraceId, upsert.ParentSpanId));
        var runs = _spans.Spans.Where(a => IsOccurrence(a, scheduleId)).ToList();
        Assert.True(runs.Select(r => Tag(r, "messaging.message.id")).Distinct().Count() >= 2, "two occurrences ran");
        Assert.All(runs, r => Assert.Equal((upsert.TraceId, upsert.SpanId), (Assert.Single(r.Links).Context.TraceId, r.Links.Single().Context.SpanId)));
    }

    public void Dispose() => _spans.Dispose();

    private static bool IsOccurrence(Activity a, string scheduleId) =>
        a.Kind == ActivityKind.Consumer && Tag(a, "messaging.message.id") is { } id && id.StartsWith(scheduleId + "@", StringComparison.Ordinal);

    private static bool IsRun(Activity a, string id) => a.Kind == ActivityKind.Consumer && Tag(a, "messaging.message.id") == id;

    private static string? Tag(Activity a, string name) => a.GetTagItem(name) as string;
}

/// <summary>The log scope of a run: every log written while the handler runs (the app's own too) carries the task.</summary>
[Collection(RedisCollection.Name)]
public sealed class RunLogScopeTests(RedisFixture redis)
{
    [Fact]
    public async Task Logs_written_by_a_handler_carry_task_id_handler_and_attempt()
    {
        var logs = new LogCapture();
        using var host = Hosts.Redis(redis.Connection, RedisFixture.NewPrefix(), new TracedRegistry(), customize: b => b.Logging.AddProvider(logs));
        await host.StartAsync();
        var id = await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(TracedRegistry.Logs, default), TimeSpan.Zero);

        var entry = await logs.WhenLogged(e => e.Category == "App" && e.Message.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        await host.StopAsync();

        Assert.Contains(new KeyValuePair<string, object?>("TaskId", id), entry.Scopes);
        Assert.Contains(new KeyValuePair<string, object?>("Handler", TracedRegistry.Logs), entry.Scopes);
        Assert.Contains(new KeyValuePair<string, object?>("Attempt", 1), entry.Scopes);
    }
}
