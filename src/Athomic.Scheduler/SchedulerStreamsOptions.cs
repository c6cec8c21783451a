namespace Athomic.Scheduler;

/// <summary>Options of the Redis Streams broker.</summary>
public sealed class SchedulerStreamsOptions
{
    /// <summary>
    /// How long a delivered entry may go without a sign of life before another consumer reclaims it (its consumer
    /// died). A live handler's claim is renewed every third of this, however long it runs; a renewal that failed is
    /// retried within a fraction of a second. A worker does not start unless this is at least twice the Redis
    /// connection's timeout (the larger of <c>syncTimeout</c> and <c>asyncTimeout</c>). Default 30 s.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// This process's consumer name in the group; must be unique among running processes. A worker holds its name in
    /// Redis while it runs (<c>{prefix}:consumer:{name}</c>, renewed every third of <see cref="VisibilityTimeout"/>,
    /// deleted when it stops) and does not start while another running process holds it; a name held by a process
    /// that ended without stopping is free within the visibility timeout, which the start waits for. Default
    /// <see langword="null"/>: machine name, process id and a random suffix, new at every start.
    /// </summary>
    public string? ConsumerName { get; set; }
}
