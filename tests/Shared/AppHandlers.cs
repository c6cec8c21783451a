// An application's handlers, compiled (with the generator) into both Athomic.Scheduler.Generators.Tests and
// Athomic.Scheduler.EndToEnd.Tests. The namespace is kept from when this file lived in the generator's tests: handler
// names derived from a method's full name (OrderHandlers.Tally) are asserted by those tests.
using System.Collections.Concurrent;
using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Generators.TestLibrary;
using MessagePack;

namespace Athomic.Scheduler.Generators.Tests.Handlers;

/// <summary>One handler run as the handler saw it.</summary>
public sealed record Run(string Handler, string TaskId, int Attempt, object? Payload);

/// <summary>Where handlers of this assembly (and of in-memory test assemblies) record their runs, by task id.</summary>
public static class Runs
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<Run>> Waiters = new(StringComparer.Ordinal);

    public static Task<Run> WhenRan(string taskId) => Waiter(taskId).Task;

    public static void Record(TaskContext context, object? payload) =>
        Waiter(context.TaskId).TrySetResult(new Run(context.Handler, context.TaskId, context.Attempt, payload));

    private static TaskCompletionSource<Run> Waiter(string taskId) =>
        Waiters.GetOrAdd(taskId, _ => new TaskCompletionSource<Run>(TaskCreationOptions.RunContinuationsAsynchronously));
}

[MessagePackObject]
public sealed record OrderLine([property: Key(0)] string Sku, [property: Key(1)] int Quantity);

[MessagePackObject]
public sealed record OrderPlaced(
    [property: Key(0)] Guid OrderId,
    [property: Key(1)] IReadOnlyList<OrderLine> Lines,
    [property: Key(2)] DateTimeOffset PlacedAt,
    [property: Key(3)] string? Note);

/// <summary>A scoped dependency of an instance handler: proves the handler is resolved from the task's DI scope.</summary>
public sealed class OrderLog
{
    public Guid Scope { get; } = Guid.NewGuid();
}

/// <summary>Instance handlers of the app, with constructor injection.</summary>
public sealed class OrderHandlers(OrderLog log)
{
    public OrderLog Log => log;

    /// <summary>Reacts to a placed order.</summary>
    [ScheduledHandler("orders.placed")]
    public async Task OnPlaced(OrderPlaced order, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        Runs.Record(context, order);
    }

    [ScheduledHandler]
    public ValueTask Tally(CancellationToken cancellationToken, Dictionary<string, int> counts, TaskContext context)
    {
        Runs.Record(context, counts);
        return default;
    }
}

/// <summary>Static handlers of the app.</summary>
public static class PingHandlers
{
    [ScheduledHandler("app.ping", MaxAttempts = 2)]
    public static void Ping(TaskContext context) => Runs.Record(context, null);

    /// <summary>A static recurring schedule: stored when the host starts.</summary>
    [ScheduledHandler("app.nightly")]
    [Recurring("0 3 * * *", TimeZone = "Europe/Berlin")]
    public static void NightlyPing(TaskContext context) => Runs.Record(context, null);
}

/// <summary>The host's implementation of the test library's probe.</summary>
public sealed class LibraryProbe : ILibraryProbe
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<(string Handler, object? Payload)>> _runs = new();

    public Task<(string Handler, object? Payload)> WhenRan(string taskId) => Waiter(taskId).Task;

    public void Received(string handler, string taskId, object? payload) => Waiter(taskId).TrySetResult((handler, payload));

    private TaskCompletionSource<(string Handler, object? Payload)> Waiter(string taskId) =>
        _runs.GetOrAdd(taskId, _ => new TaskCompletionSource<(string, object?)>(TaskCreationOptions.RunContinuationsAsynchronously));
}
