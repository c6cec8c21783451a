// The C# code blocks of the repository README and of docs/*.md, compiled here (with the generator running on this
// assembly), so the docs cannot show code that does not build. ReadmeTests checks that every block is found verbatim in
// this file or in the samples. Keep the indentation-free text of each block identical.
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Operations;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Athomic.Scheduler.EndToEnd.Tests.Docs;

public interface IBilling
{
    Task DowngradeAsync(Guid userId, CancellationToken cancellationToken);
}

public sealed class TrialHandlers(IBilling billing)
{
    /// <summary>Ends the trial of a user.</summary>
    [ScheduledHandler("trial.end")]
    public Task EndTrial(TrialEnded payload, CancellationToken cancellationToken) =>
        billing.DowngradeAsync(payload.UserId, cancellationToken);
}

[MessagePackObject]
public sealed record TrialEnded([property: Key(0)] Guid UserId);

public interface IReports
{
    Task BuildNightlyAsync(CancellationToken cancellationToken);

    Task SendDigestAsync(string audience, CancellationToken cancellationToken);
}

public sealed class ReportHandlers(IReports reports)
{
    /// <summary>Every night at 03:00 Berlin time: a static schedule, checked at compile time, stored at start-up.</summary>
    [ScheduledHandler("reports.nightly")]
    [Recurring("0 3 * * *", TimeZone = "Europe/Berlin")]
    public Task Nightly(CancellationToken cancellationToken) => reports.BuildNightlyAsync(cancellationToken);

    /// <summary>Every 15 minutes on the UTC clock; missed occurrences are skipped.</summary>
    [ScheduledHandler("reports.refresh")]
    [Recurring(Every = "00:15:00", Misfire = MisfirePolicy.Skip)]
    public static void Refresh() { }

    /// <summary>A digest per audience: schedules with a payload are added at run time.</summary>
    [ScheduledHandler("reports.digest")]
    public Task Digest(string audience, CancellationToken cancellationToken) => reports.SendDigestAsync(audience, cancellationToken);
}

/// <summary>In the README, "MyApp" stands for the reader's assembly; here it is this test assembly.</summary>
internal static class MyAppRegistration
{
    public static SchedulerBuilder AddScheduledHandlersFromMyApp(this SchedulerBuilder builder) =>
        builder.AddScheduledHandlersFromAthomicSchedulerEndToEndTests();
}

/// <summary>The README's <c>MyAppTasks</c>: the generated typed tasks of this test assembly.</summary>
internal static class MyAppTasks
{
    public static GenericTask EndTrial(TrialEnded payload, string? taskId = null) => AthomicSchedulerEndToEndTestsTasks.EndTrial(payload, taskId);
}

internal static class ReadmeSnippets
{
    public static void Register(HostApplicationBuilder builder)
    {
        builder.Services.AddAthomicScheduler(builder.Configuration.GetSection("Athomic:Scheduler"))
            .UseRedis("localhost:6379")           // or .UseInMemoryStore() in unit tests
            .AddScheduledHandlersFromMyApp();     // generated: AddScheduledHandlersFrom{AssemblyName}()
    }

    public static async Task ScheduleAsync(IScheduler scheduler, Guid userId)
    {
        string id = await scheduler.ScheduleEndTrialAsync(new TrialEnded(userId), TimeSpan.FromDays(14), taskId: $"trial:{userId}");
        await scheduler.ScheduleEndTrialAtAsync(new TrialEnded(userId), new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero));
        bool cancelled = await scheduler.CancelAsync($"trial:{userId}"); // true only if a pending task was removed
        ScheduledTaskInfo? info = await scheduler.GetAsync(id);           // pending (with its due time) or in flight
        _ = (cancelled, info);
    }

    public static async Task ScheduleBatchAsync(IScheduler scheduler, IEnumerable<Guid> users)
    {
        var requests = users.Select(u => ScheduleRequest.After(MyAppTasks.EndTrial(new TrialEnded(u), $"trial:{u}"), TimeSpan.FromDays(14)));
        IReadOnlyList<ScheduleResult> results = await scheduler.ScheduleManyAsync(requests.ToList());
        _ = results;
    }

    public static void HealthChecks(HostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddAthomicSchedulerHealthChecks(o =>
        {
            o.LatenessThreshold = TimeSpan.FromMinutes(2);
            o.DeadLetterWindow = TimeSpan.FromMinutes(30);
        });
    }

    public static void StreamsBroker(HostApplicationBuilder builder)
    {
        builder.Services.AddAthomicScheduler(builder.Configuration.GetSection("Athomic:Scheduler"))
            .UseRedis("localhost:6379")
            .UseRedisStreamsBroker()                 // opt in; the in-process broker stays the default
            .AddScheduledHandlersFromMyApp();
    }

    public static async Task DeadLettersAsync(IHost app)
    {
        var dead = app.Services.GetRequiredService<IDeadLetterQueue>();
        DeadLetterPage page = await dead.ListAsync(offset: 0, count: 100);   // newest first, with page.Total
        DeadLetter? letter = await dead.GetAsync("trial:42");               // envelope bytes, Reason, Attempts, FailedAt
        GenericTask? task = letter?.TryReadTask();                          // null when the envelope is unreadable
        await dead.RequeueAsync("trial:42", TimeSpan.Zero);                 // back to pending as attempt 1, atomically
        await dead.PurgeAsync("trial:42");                                  // or PurgeAllAsync()
        _ = (page, task);
    }

    public static async Task OperationsAsync(IHost app)
    {
        var ops = app.Services.GetRequiredService<ISchedulerOperations>();
        TaskPage page = await ops.ListTasksAsync(new TaskQuery(ScheduledTaskState.Pending) { Limit = 100, Handler = "trial.end", IdPrefix = "trial:" });
        TaskPage next = await ops.ListTasksAsync(new TaskQuery { Limit = 100, Cursor = page.NextCursor }); // keyset paging
        TaskDetails? task = await ops.GetTaskAsync("trial:42");   // pending, in flight or dead letter; task.PayloadToJson()
        RunNowStatus run = await ops.RunNowAsync("trial:42");      // Due, InFlight (not touched) or NotFound
        _ = (next, task, run);
    }

    public static void UnitTest(IServiceCollection services)
    {
        var time = new FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);
        services.AddAthomicScheduler().UseInMemoryStore().AddScheduledHandlersFromMyApp();
    }

    public static async Task Recurring(IScheduler scheduler)
    {
        // generated per handler: the payload type is checked, the schedule id is yours
        await scheduler.AddOrUpdateRecurringDigestAsync("digest:ops", "ops", RecurringSchedule.Cron("0 8 * * MON-FRI", "America/New_York"));
        await scheduler.AddOrUpdateRecurringDigestAsync("digest:all", "all", RecurringSchedule.Every(TimeSpan.FromHours(6)) with { Misfire = MisfirePolicy.RunAll });
        bool removed = await scheduler.RemoveRecurringAsync("digest:ops");   // cancels its pending occurrence too
    }
}

[MessagePackObject]
public sealed record Email([property: Key(0)] string To, [property: Key(1)] string Subject);

[MessagePackObject]
public sealed record ApiCall([property: Key(0)] string Path);

[MessagePackObject]
public sealed record Report([property: Key(0)] string Name);

public interface IMailer
{
    Task SendAsync(Email email, CancellationToken cancellationToken);
}

public interface IApiClient
{
    Task PostAsync(ApiCall call, CancellationToken cancellationToken);
}

public interface IReportBuilder
{
    Task BuildAsync(Report report, CancellationToken cancellationToken);
}

public interface ICrm
{
    Task SyncAsync(FlowControlHandlers.SyncCustomer customer, CancellationToken cancellationToken);
}

/// <summary>The block of docs/flow-control.md (limits, rate, timeout, per-key key), compiled with the generator's checks.</summary>
public sealed class FlowControlHandlers(IMailer mailer, IApiClient client, IReportBuilder reports, ICrm crm)
{
[ScheduledHandler("newsletter.send", MaxConcurrency = 3)]                     // at most 3 runs at once, cluster-wide
public Task SendNewsletter(Email payload, CancellationToken ct) => mailer.SendAsync(payload, ct);

[ScheduledHandler("partner.call", RateLimit = 10, RateLimitWindow = "00:00:01")] // at most 10 starts per second, cluster-wide
public Task CallPartner(ApiCall payload, CancellationToken ct) => client.PostAsync(payload, ct);

[ScheduledHandler("report.export", Timeout = "00:00:30")]                    // the handler's token is cancelled after 30 s
public Task ExportReport(Report payload, CancellationToken ct) => reports.BuildAsync(payload, ct);

[ScheduledHandler("account.sync", MaxConcurrencyPerKey = 1)]                  // one sync per customer at a time
public Task SyncAccount(SyncCustomer payload, CancellationToken ct) => crm.SyncAsync(payload, ct);

[MessagePackObject]
public sealed record SyncCustomer([property: Key(0), ConcurrencyKey] Guid CustomerId, [property: Key(1)] bool Full);
}
