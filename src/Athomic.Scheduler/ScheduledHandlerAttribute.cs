namespace Athomic.Scheduler;

/// <summary>
/// Marks a method as the handler of scheduled tasks. The Athomic.Scheduler source generator emits typed
/// <c>Schedule{Method}Async</c> / <c>Schedule{Method}AtAsync</c> extension methods on <see cref="IScheduler"/>
/// and registers the method in the generated handler registry.
/// </summary>
/// <remarks>
/// Give an explicit <see cref="Name"/> for handlers whose tasks live long: tasks are stored with the handler name,
/// so an explicit name keeps already scheduled tasks working after the method is renamed or moved.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ScheduledHandlerAttribute : Attribute
{
    /// <summary>Marks a handler whose name is derived from its containing type and method name.</summary>
    public ScheduledHandlerAttribute()
    {
    }

    /// <summary>Marks a handler with an explicit, stable handler name.</summary>
    /// <param name="name">The handler name stored with every task (see <see cref="TaskIds"/> for allowed characters).</param>
    public ScheduledHandlerAttribute(string name)
    {
        Name = name;
    }

    /// <summary>The explicit handler name, or <see langword="null"/> for the generated default.</summary>
    public string? Name { get; }

    /// <summary>
    /// The maximum number of attempts for this handler's tasks before they are dead-lettered;
    /// 0 (the default) uses <see cref="SchedulerExecutionOptions.MaxAttempts"/>.
    /// </summary>
    public int MaxAttempts { get; set; }
}
