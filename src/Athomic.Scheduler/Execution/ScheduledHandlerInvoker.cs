namespace Athomic.Scheduler.Execution;

/// <summary>Runs one task: decodes its payload, resolves the handler from <paramref name="services"/> and invokes it.</summary>
/// <param name="context">The task being executed.</param>
/// <param name="services">The services of the task's own DI scope.</param>
/// <param name="cancellationToken">Signalled when the host stops.</param>
/// <returns>A task that completes when the handler has finished.</returns>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public delegate ValueTask ScheduledHandlerInvoker(TaskContext context, IServiceProvider services, CancellationToken cancellationToken);
