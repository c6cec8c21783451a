namespace Athomic.Scheduler.Operations;

/// <summary>
/// One handler's flow control as operators see it (<see cref="ISchedulerOperations.ListHandlersAsync"/>): its declared
/// limits, the slots in use across the cluster, starts in the current rate window, whether it is paused, and how many
/// due tasks wait for it.
/// </summary>
/// <param name="Handler">The handler name.</param>
/// <param name="MaxConcurrency">Runs at once across the cluster; 0 for no limit.</param>
/// <param name="MaxConcurrencyPerKey">Runs at once per concurrency key; 0 for no limit.</param>
/// <param name="RateLimit">Starts per <paramref name="RateLimitWindow"/>; 0 for no limit.</param>
/// <param name="RateLimitWindow">The rate window, or <see langword="null"/> without a rate limit.</param>
/// <param name="Timeout">The run timeout, or <see langword="null"/>.</param>
/// <param name="Priority">The priority (0 is the default and lowest).</param>
/// <param name="IsPaused">Whether the handler is paused.</param>
/// <param name="SlotsInUse">Slots held now (runs started and not yet ended).</param>
/// <param name="StartsInWindow">Starts in the current rate window.</param>
/// <param name="Waiting">Due tasks held back by a limit or the pause.</param>
public sealed record HandlerFlowInfo(
    string Handler,
    int MaxConcurrency,
    int MaxConcurrencyPerKey,
    int RateLimit,
    TimeSpan? RateLimitWindow,
    TimeSpan? Timeout,
    int Priority,
    bool IsPaused,
    long SlotsInUse,
    long StartsInWindow,
    long Waiting);
