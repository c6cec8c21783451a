using MessagePack;

namespace Athomic.Scheduler.Dashboard.Tests.Infrastructure;

/// <summary>A payload with a few fields, so the task page has JSON to show.</summary>
[MessagePackObject]
public sealed record Invoice([property: Key(0)] string Customer, [property: Key(1)] decimal Amount, [property: Key(2)] string[] Lines);

/// <summary>The handlers the dashboard tests schedule.</summary>
public static class TestHandlers
{
    /// <summary>Completions, by task id: a test awaits the run of a task it requeued.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> Completed = new();

    /// <summary>Set while a test wants <see cref="Charge"/> to fail (and so dead-letter, after its one attempt).</summary>
    public static volatile bool FailCharges;

    /// <summary>Sends an invoice (nothing to do).</summary>
    [ScheduledHandler("invoices.send")]
    public static void SendInvoice(Invoice invoice) => _ = invoice;

    /// <summary>Sends a reminder.</summary>
    [ScheduledHandler("reminders.send")]
    public static void SendReminder(string userId) => _ = userId;

    /// <summary>Charges a card; fails while <see cref="FailCharges"/> is set, and is never retried.</summary>
    [ScheduledHandler("cards.charge", MaxAttempts = 1)]
    public static void Charge(Invoice invoice, Execution.TaskContext context)
    {
        if (FailCharges)
        {
            throw new InvalidOperationException($"Card of {invoice.Customer} declined (test).");
        }

        Completed.GetOrAdd(context.TaskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>While not completed, every run of <see cref="SendEmail"/> waits for it (after it started).</summary>
    public static volatile TaskCompletionSource EmailGate = Open();

    /// <summary>Starts of <see cref="SendEmail"/>, by task id: a test awaits a run that holds a slot.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> Started = new();

    /// <summary>Sends an email (<see cref="FlowTestHandlers"/>): records its start, waits for <see cref="EmailGate"/>, records its end.</summary>
    public static async ValueTask SendEmail(Execution.TaskContext context, CancellationToken cancellationToken)
    {
        Signal(Started, context.TaskId);
        await EmailGate.Task.WaitAsync(cancellationToken);
        Signal(Completed, context.TaskId);
    }

    /// <summary>A completed gate.</summary>
    public static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>The signal of <paramref name="taskId"/> in <paramref name="signals"/>, made when missing.</summary>
    public static TaskCompletionSource SignalOf(System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> signals, string taskId) =>
        signals.GetOrAdd(taskId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static void Signal(System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> signals, string taskId) =>
        SignalOf(signals, taskId).TrySetResult();

    /// <summary>A report that runs on a schedule.</summary>
    [ScheduledHandler("reports.nightly")]
    public static void NightlyReport() { }
}

/// <summary>
/// A handler under flow control, declared by hand as generated code declares it (the Handlers page lists it):
/// <c>emails.send</c>, one run at a time across the cluster, 50 starts a minute, a 5-minute timeout, priority 5.
/// </summary>
public sealed class FlowTestHandlers : Execution.IScheduledHandlerRegistry
{
    public const string Email = "emails.send";

    public IReadOnlyList<Execution.ScheduledHandlerDescriptor> Handlers { get; } =
    [
        new(Email, "Tests.SendEmail", "System.String", (context, _, ct) => TestHandlers.SendEmail(context, ct))
        {
            Flow = new Execution.HandlerFlowSpec
            {
                MaxConcurrency = 1,
                RateLimit = 50,
                RateLimitWindow = TimeSpan.FromMinutes(1),
                Timeout = TimeSpan.FromMinutes(5),
                Priority = 5,
            },
        },
    ];
}
