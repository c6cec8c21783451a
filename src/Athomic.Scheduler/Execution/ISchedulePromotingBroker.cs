namespace Athomic.Scheduler.Execution;

/// <summary>
/// A broker with a durable queue in the same store as the schedule, which takes due tasks straight from the
/// schedule into that queue in one atomic step. <see cref="Hosting.SchedulerWorkerService"/> checks for this
/// interface: when the broker has it, the worker calls <see cref="PromoteDueAsync"/> instead of claiming leases,
/// so no task is ever held in memory between the schedule and the broker.
/// </summary>
internal interface ISchedulePromotingBroker : ITaskBroker
{
    /// <summary>Moves up to <paramref name="maxCount"/> due tasks (and expired in-flight leases) into the broker's queue.</summary>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many moved and when the next task falls due.</returns>
    /// <exception cref="SchedulerUnavailableException">The store cannot be reached.</exception>
    Task<PromotionResult> PromoteDueAsync(int maxCount, CancellationToken cancellationToken);
}

/// <summary>The result of <see cref="ISchedulePromotingBroker.PromoteDueAsync"/>.</summary>
/// <param name="Count">How many tasks moved into the broker's queue.</param>
/// <param name="NextDueIn">Time until the next pending task is due, or <see langword="null"/> when nothing is pending.</param>
/// <param name="RecurringDispatched">
/// How many of the tasks were recurring occurrences with a prepared successor: the worker looks at their schedules
/// at once, to prepare the next successor (see <see cref="Storage.IRecurringStore"/>).
/// </param>
internal readonly record struct PromotionResult(int Count, TimeSpan? NextDueIn, int RecurringDispatched = 0);
