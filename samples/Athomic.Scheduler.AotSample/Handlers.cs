using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.AotSample;

/// <summary>What the handlers received, awaited by the program.</summary>
public sealed class Received
{
    /// <summary>The shipped order, once its task ran.</summary>
    public TaskCompletionSource<OrderShipped> Order { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The task id of the first recurring occurrence that ran.</summary>
    public TaskCompletionSource<string> Occurrence { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>The handlers: the generator turns them into typed Schedule…Async methods and a registry, no reflection.</summary>
public sealed class ShippingHandlers(Received received)
{
    /// <summary>Runs once per shipped order; one run per order at a time (its key is read by generated code, no reflection).</summary>
    [ScheduledHandler("aot.order-shipped", MaxConcurrencyPerKey = 1, Timeout = "00:01:00", Priority = 10)]
    public Task OrderShipped(OrderShipped order, CancellationToken cancellationToken)
    {
        received.Order.TrySetResult(order);
        return Task.CompletedTask;
    }

    /// <summary>Runs on every occurrence of the recurring schedule.</summary>
    [ScheduledHandler("aot.heartbeat")]
    public void Heartbeat(Heartbeat heartbeat, TaskContext context) =>
        received.Occurrence.TrySetResult($"{context.TaskId} from {heartbeat.Source}");
}
