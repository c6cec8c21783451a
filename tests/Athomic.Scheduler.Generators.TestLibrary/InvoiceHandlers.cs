using Athomic.Scheduler.Execution;
using MessagePack;

namespace Athomic.Scheduler.Generators.TestLibrary;

/// <summary>Receives what the library's handlers ran with; the host registers an implementation.</summary>
public interface ILibraryProbe
{
    /// <summary>Records one handler run.</summary>
    /// <param name="handler">The handler name.</param>
    /// <param name="taskId">The task id.</param>
    /// <param name="payload">The payload, or <see langword="null"/>.</param>
    void Received(string handler, string taskId, object? payload);
}

/// <summary>An invoice that falls due.</summary>
/// <param name="InvoiceId">The invoice.</param>
/// <param name="Amount">The amount due.</param>
/// <param name="Recipients">Who to remind.</param>
[MessagePackObject]
public sealed record InvoiceDue(
    [property: Key(0)] string InvoiceId,
    [property: Key(1)] decimal Amount,
    [property: Key(2)] IReadOnlyList<string> Recipients);

/// <summary>Handlers of a class library, resolved from the host's DI container.</summary>
/// <param name="probe">Where runs are recorded.</param>
public sealed class InvoiceHandlers(ILibraryProbe probe)
{
    /// <summary>Reminds the recipients of an invoice that falls due.</summary>
    /// <param name="invoice">The invoice.</param>
    /// <param name="context">The task.</param>
    /// <param name="cancellationToken">Signalled when the host stops.</param>
    /// <returns>A completed task.</returns>
    [ScheduledHandler("billing.invoice-due", MaxAttempts = 3)]
    public Task RemindAsync(InvoiceDue invoice, TaskContext context, CancellationToken cancellationToken)
    {
        probe.Received(context.Handler, context.TaskId, invoice);
        return Task.CompletedTask;
    }

    /// <summary>Closes the books; a handler without payload.</summary>
    /// <param name="context">The task.</param>
    [ScheduledHandler]
    public void CloseBooks(TaskContext context) => probe.Received(context.Handler, context.TaskId, null);
}
