namespace Athomic.Scheduler.Execution;

/// <summary>
/// The flow control a handler declares on <see cref="ScheduledHandlerAttribute"/>: cluster-wide concurrency limits
/// (per handler and per key), a rate limit, a timeout and a priority. Built by generated code, checked at compile time.
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public sealed class HandlerFlowSpec
{
    /// <summary>At most this many runs at once across the cluster; 0 for no limit.</summary>
    public int MaxConcurrency { get; init; }

    /// <summary>At most this many runs at once per concurrency key; 0 for no limit (then <see cref="KeySelector"/> is unused).</summary>
    public int MaxConcurrencyPerKey { get; init; }

    /// <summary>Reads the concurrency key of a payload; set when <see cref="MaxConcurrencyPerKey"/> is.</summary>
    public ConcurrencyKeySelector? KeySelector { get; init; }

    /// <summary>At most this many starts per <see cref="RateLimitWindow"/>; 0 for no limit.</summary>
    public int RateLimit { get; init; }

    /// <summary>The window of <see cref="RateLimit"/>.</summary>
    public TimeSpan RateLimitWindow { get; init; }

    /// <summary>How long a run may take before its token is cancelled; <see langword="null"/> for no timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The handler's priority (0 to 1000; 0 is the default and the lowest).</summary>
    public int Priority { get; init; }

    /// <summary>Whether a run must take a cluster-wide slot or rate token first (a concurrency or rate limit is declared).</summary>
    public bool IsGated => MaxConcurrency > 0 || MaxConcurrencyPerKey > 0 || RateLimit > 0;
}
