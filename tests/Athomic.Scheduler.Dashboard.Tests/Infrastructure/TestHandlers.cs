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

    /// <summary>A report that runs on a schedule.</summary>
    [ScheduledHandler("reports.nightly")]
    public static void NightlyReport() { }
}
