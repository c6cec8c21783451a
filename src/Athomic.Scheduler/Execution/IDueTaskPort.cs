using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Where a due task leaves the schedule: the one port the worker polls. Two implementations, chosen once at
/// composition by the builder: <see cref="LeaseClaimPort"/> (the default: <c>claim.lua</c> moves due tasks under a
/// fenced lease, and the lease goes to the <see cref="ITaskBroker"/>), and the Redis Streams broker
/// (<c>UseRedisStreamsBroker()</c>: <c>promote.lua</c> moves due tasks into the stream in the same atomic step).
/// Both sweep partitions the same way (<see cref="Storage.PartitionSweep"/>).
/// </summary>
internal interface IDueTaskPort
{
    /// <summary>Takes what is due now (as much as this process should take) out of the schedule and hands it on.</summary>
    /// <param name="cancellationToken">Signalled when the worker stops.</param>
    /// <returns>What the poll took.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<DuePoll> TakeDueAsync(CancellationToken cancellationToken);
}

/// <summary>What one poll of the <see cref="IDueTaskPort"/> took.</summary>
/// <param name="Count">Tasks taken out of the schedule.</param>
/// <param name="NextDueIn">Time until the next due task or lease expiry, if the store said.</param>
/// <param name="RecurringDispatched">Recurring occurrences among them whose successors were added (their schedules need a look).</param>
/// <param name="Full">Whether the poll took all it asked for: poll again at once.</param>
internal readonly record struct DuePoll(int Count, TimeSpan? NextDueIn, int RecurringDispatched, bool Full);
