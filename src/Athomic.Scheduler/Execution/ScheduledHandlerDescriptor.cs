namespace Athomic.Scheduler.Execution;

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
