namespace Athomic.Scheduler.Execution;

/// <summary>
/// A set of handlers that the in-process broker can run. The source generator emits one registry per assembly
/// with <c>[ScheduledHandler]</c> methods; registries of several assemblies compose, and a handler name registered
/// twice fails the host start with a message naming both methods.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public interface IScheduledHandlerRegistry
{
    /// <summary>The handlers of this registry.</summary>
    IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }
}

/// <summary>Runs one task: decodes its payload, resolves the handler from <paramref name="services"/> and invokes it.</summary>
/// <param name="context">The task being executed.</param>
/// <param name="services">The services of the task's own DI scope.</param>
/// <param name="cancellationToken">Signalled when the host stops.</param>
/// <returns>A task that completes when the handler has finished.</returns>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public delegate ValueTask ScheduledHandlerInvoker(TaskContext context, IServiceProvider services, CancellationToken cancellationToken);

/// <summary>One handler: its stable name, where it lives, and how to invoke it. Built by generated code.</summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public sealed class ScheduledHandlerDescriptor
{
    /// <summary>Creates the descriptor.</summary>
    /// <param name="name">The handler name stored with each task.</param>
    /// <param name="method">The handler method for messages, e.g. <c>MyApp.TrialHandlers.EndTrial</c>.</param>
    /// <param name="payloadType">The payload type name for messages, or <see langword="null"/> for a handler without payload.</param>
    /// <param name="invoker">Runs the handler.</param>
    /// <param name="maxAttempts">Attempts before dead-lettering; 0 uses the global option.</param>
    public ScheduledHandlerDescriptor(string name, string method, string? payloadType, ScheduledHandlerInvoker invoker, int maxAttempts = 0)
    {
        TaskIds.ValidateHandler(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(invoker);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        Name = name;
        Method = method;
        PayloadType = payloadType;
        Invoker = invoker;
        MaxAttempts = maxAttempts;
    }

    /// <summary>The handler name.</summary>
    public string Name { get; }

    /// <summary>The handler method, for messages.</summary>
    public string Method { get; }

    /// <summary>The payload type name, or <see langword="null"/>.</summary>
    public string? PayloadType { get; }

    /// <summary>Runs the handler.</summary>
    public ScheduledHandlerInvoker Invoker { get; }

    /// <summary>Attempts before dead-lettering; 0 uses the global option.</summary>
    public int MaxAttempts { get; }

    /// <summary>The handler's static recurring schedule (<c>[Recurring]</c>), stored at host start; <see langword="null"/> without one.</summary>
    public StaticRecurringSchedule? Recurring { get; init; }

    /// <summary>The handler's flow control (limits, rate, timeout, priority); <see langword="null"/> when it declares none.</summary>
    public HandlerFlowSpec? Flow { get; init; }
}
