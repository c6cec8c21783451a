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
