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

    /// <summary>
    /// At most this many runs of the handler at once, across every worker process and partition; 0 (the default) for
    /// no limit. A due task over the limit waits, pending at its due time, without using an attempt.
    /// </summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// At most this many runs at once per value of the payload member marked <see cref="ConcurrencyKeyAttribute"/>,
    /// across every worker process and partition; 0 (the default) for no limit.
    /// </summary>
    public int MaxConcurrencyPerKey { get; set; }

    /// <summary>At most this many starts of the handler per <see cref="RateLimitWindow"/>, cluster-wide; 0 (the default) for no limit.</summary>
    public int RateLimit { get; set; }

    /// <summary>The window of <see cref="RateLimit"/> as a <see cref="TimeSpan"/> string (<c>[d.]hh:mm:ss[.fff]</c>), for example <c>"00:00:01"</c>.</summary>
    public string? RateLimitWindow { get; set; }

    /// <summary>
    /// How long a run may take, as a <see cref="TimeSpan"/> string; the handler's token is cancelled then, and the run
    /// counts as a failed attempt. <see langword="null"/> (the default) for no timeout.
    /// </summary>
    public string? Timeout { get; set; }

    /// <summary>
    /// Among due tasks that compete for a worker, higher priorities are claimed first (0, the default, is the lowest;
    /// at most 1000). A task's effective priority grows by one per second it is overdue, so lower priorities never starve.
    /// </summary>
    public int Priority { get; set; }
}
