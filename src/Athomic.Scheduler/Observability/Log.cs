using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Observability;

/// <summary>The library's log messages (LoggerMessage source generation: no boxing, no parsing at run time).</summary>
internal static partial class Log
{
    private static readonly Func<ILogger, string, string, int, IDisposable?> TaskRun =
        LoggerMessage.DefineScope<string, string, int>("Task {TaskId} ({Handler}), attempt {Attempt}");

    /// <summary>The scope of one task run: every log written while the handler runs carries TaskId, Handler and Attempt.</summary>
    public static IDisposable? TaskRunScope(ILogger logger, string taskId, string handler, int attempt) => TaskRun(logger, taskId, handler, attempt);

    [LoggerMessage(1, LogLevel.Information, "Scheduler worker started: store {Store}, batch {BatchSize}, lease {Lease}, {HandlerCount} handlers.")]
    public static partial void WorkerStarted(ILogger logger, string store, int batchSize, TimeSpan lease, int handlerCount);

    [LoggerMessage(2, LogLevel.Information, "Scheduler worker stopped.")]
    public static partial void WorkerStopped(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "The schedule store is unavailable; the worker retries in {Delay}.")]
    public static partial void StoreUnavailable(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Wake-up notifications are unavailable; the worker falls back to polling.")]
    public static partial void SubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Task {TaskId} cannot run and was dead-lettered: {Reason}")]
    public static partial void TaskUnrunnable(ILogger logger, string taskId, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Renewing {Count} leases failed; they may expire and the tasks run again elsewhere.")]
    public static partial void LeaseRenewalFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Task {TaskId}: the claim of this run was no longer current at {Action} (its lease expired and the task was claimed again); nothing was changed.")]
    public static partial void LeaseLost(ILogger logger, string taskId, string action);

    [LoggerMessage(8, LogLevel.Error, "Ending the lease of task {TaskId} ({Action}) failed; the lease will expire and the task run again.")]
    public static partial void LeaseEndFailed(ILogger logger, string taskId, string action, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "Task {TaskId} ({Handler}) failed on attempt {Attempt}; retrying in {Delay}.")]
    public static partial void TaskRetrying(ILogger logger, string taskId, string handler, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(10, LogLevel.Error, "Task {TaskId} ({Handler}) was dead-lettered after {Attempt} attempts: {Reason}")]
    public static partial void TaskDeadLettered(ILogger logger, string taskId, string handler, int attempt, string reason);

    [LoggerMessage(11, LogLevel.Error, "The scheduler worker loop failed unexpectedly; it restarts in {Delay}.")]
    public static partial void WorkerLoopFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Renewing {Count} leases failed ({Failures} in a row); retrying in {Delay}, before they expire.")]
    public static partial void LeaseRenewalRetrying(ILogger logger, int count, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "{Count} leases held by this process were claimed again elsewhere (this process stalled past its lease); their runs here are cancelled and can no longer end them.")]
    public static partial void LeasesLost(ILogger logger, int count);

    [LoggerMessage(14, LogLevel.Warning, "Task {TaskId} ({Handler}) timed out after {Timeout} on attempt {Attempt} (the handler's Timeout); retrying in {Delay}.")]
    public static partial void TaskTimedOut(ILogger logger, string taskId, string handler, TimeSpan timeout, int attempt, TimeSpan delay);

    [LoggerMessage(15, LogLevel.Warning, "Task {TaskId} ({Handler}), attempt {Attempt}: this process's claim was lost (it stalled past its lease, and another worker holds the task now); the run was cancelled and ends without a retry.")]
    public static partial void RunClaimLost(ILogger logger, string taskId, string handler, int attempt);

    [LoggerMessage(16, LogLevel.Error, "Dead-lettering task {TaskId}, which cannot run, failed; the other claims of its batch go on, and its claim is left to expire: the task is claimed and dead-lettered again then.")]
    public static partial void UnrunnableDeadLetterFailed(ILogger logger, string taskId, Exception exception);

    [LoggerMessage(20, LogLevel.Warning, "Partition {Partition} of the schedule failed ({Step}); it is skipped for {Delay} while the other partitions go on.")]
    public static partial void PartitionFailed(ILogger logger, int partition, string step, TimeSpan delay, Exception exception);

    [LoggerMessage(21, LogLevel.Warning, "Looking after recurring schedules failed; claims go on, and the recurring step is tried again in {Delay}.")]
    public static partial void RecurringPumpFailed(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(100, LogLevel.Warning, "Task {TaskId} names handler {Handler}, which this host does not have (attempt {Attempt}); retrying in {Delay}, another host may have it.")]
    public static partial void TaskRetryingWithoutHandler(ILogger logger, string taskId, string handler, int attempt, TimeSpan delay);

    [LoggerMessage(101, LogLevel.Information, "Redis Streams broker started: consumer {Consumer} in group {Group} of {Partitions} partition stream(s), {Concurrency} handlers at once, visibility timeout {VisibilityTimeout}.")]
    public static partial void StreamsBrokerStarted(ILogger logger, string consumer, string group, int partitions, int concurrency, TimeSpan visibilityTimeout);

    [LoggerMessage(102, LogLevel.Information, "Redis Streams broker stopped: consumer {Consumer}.")]
    public static partial void StreamsBrokerStopped(ILogger logger, string consumer);

    [LoggerMessage(103, LogLevel.Warning, "Reading the task stream failed ({Failures} in a row); retrying in {Delay}.")]
    public static partial void StreamReadFailed(ILogger logger, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "The consumer group of the task stream was missing (Redis lost its data?); it was created again.")]
    public static partial void StreamGroupRecreated(ILogger logger);

    [LoggerMessage(105, LogLevel.Information, "Reclaimed {Count} stream entries idle for longer than {VisibilityTimeout} (their consumer died or stalled).")]
    public static partial void StreamEntriesReclaimed(ILogger logger, int count, TimeSpan visibilityTimeout);

    [LoggerMessage(106, LogLevel.Warning, "{Count} running stream entries were reclaimed by another consumer (this process stalled past the visibility timeout); their handlers here are cancelled and their outcome ignored.")]
    public static partial void StreamClaimsLost(ILogger logger, int count);

    [LoggerMessage(107, LogLevel.Error, "Stream entry {EntryId} failed outside its handler; it stays pending and is reclaimed after the visibility timeout.")]
    public static partial void StreamEntryFailed(ILogger logger, string entryId, Exception exception);

    [LoggerMessage(108, LogLevel.Information, "Handed {Count} unstarted stream entries back to the group (stopping).")]
    public static partial void StreamEntriesHandedBack(ILogger logger, int count);

    [LoggerMessage(150, LogLevel.Warning, "The ConfigurationOptions of the Redis connection ({ConnectionType}) cannot be read (it is not a StackExchange.Redis ConnectionMultiplexer): the streams reader connections are opened from its configuration string, without callbacks set in code (certificate validation, BeforeSocketConnect, tunnel). Pass a reader connection to UseRedisStreamsBroker to control them.")]
    public static partial void StreamReaderFromConfigurationString(ILogger logger, string connectionType);

    [LoggerMessage(200, LogLevel.Debug, "Recurring schedule {ScheduleId}: added the occurrence at {Occurrence:O} as task {TaskId}.")]
    public static partial void RecurringOccurrenceAdded(ILogger logger, string scheduleId, DateTimeOffset occurrence, string taskId);

    [LoggerMessage(201, LogLevel.Information, "Recurring schedule {ScheduleId} has no further occurrence; it stays stored but adds no more tasks.")]
    public static partial void RecurringFinished(ILogger logger, string scheduleId);

    [LoggerMessage(202, LogLevel.Warning, "Recurring schedule {ScheduleId} cannot be read on this host (a newer version wrote it, or its time zone is missing here); it is left to the hosts that can read it.")]
    public static partial void RecurringUnreadable(ILogger logger, string scheduleId, Exception exception);

    [LoggerMessage(203, LogLevel.Information, "Recurring schedule {ScheduleId} ({Handler}, {Schedule}): {Status}.")]
    public static partial void RecurringUpserted(ILogger logger, string scheduleId, string handler, string schedule, RecurringUpsertStatus status);

    [LoggerMessage(204, LogLevel.Warning, "Looking after recurring schedule {ScheduleId} failed; the other schedules go on, and it is re-indexed to be looked at again in {Delay} (zero: left due for the other hosts).")]
    public static partial void RecurringStepFailed(ILogger logger, string scheduleId, TimeSpan delay, Exception exception);

    [LoggerMessage(205, LogLevel.Warning, "Storing the recurring schedule {ScheduleId} failed; the host goes on, and it is tried again in {Delay}.")]
    public static partial void RecurringUpsertFailed(ILogger logger, string scheduleId, TimeSpan delay, Exception exception);

    [LoggerMessage(206, LogLevel.Debug, "Recurring schedule {ScheduleId} still cannot be read on this host; re-indexed to be looked at again in {Delay} (zero: left due for the other hosts).")]
    public static partial void RecurringStillUnreadable(ILogger logger, string scheduleId, TimeSpan delay);

    [LoggerMessage(340, LogLevel.Warning, "{Count} tasks of partition {Partition} lost their stream entry outside the scheduler (XDEL or XTRIM on the stream): they will not run, and versions scheduled while they were queued are pending now. Tasks: {TaskIds}")]
    public static partial void StreamEntriesGone(ILogger logger, int count, int partition, string taskIds);

    [LoggerMessage(341, LogLevel.Warning, "Looking for stream entries of partition {Partition} deleted outside the scheduler failed; it is tried again at the next reclaim sweep.")]
    public static partial void StreamGoneEntriesCheckFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(342, LogLevel.Warning, "{Count} running stream entries of partition {Partition} were deleted from the stream outside the scheduler (XDEL or XTRIM); their handlers here are cancelled and their outcome ignored.")]
    public static partial void StreamEntriesDeletedWhileRunning(ILogger logger, int count, int partition);

    [LoggerMessage(343, LogLevel.Warning, "Keeping {Count} stream entries of partition {Partition} alive failed ({Failures} in a row); retrying in {Delay}, before the visibility timeout runs out.")]
    public static partial void StreamKeepAliveRetrying(ILogger logger, int count, int partition, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(344, LogLevel.Warning, "Streams:ConsumerName '{Consumer}' is held by {Holder}, for {Left} more unless that process renews it: this start waits for it (a process that ended without stopping frees its name within the visibility timeout).")]
    public static partial void StreamConsumerNameBusy(ILogger logger, string consumer, string holder, TimeSpan left);

    [LoggerMessage(345, LogLevel.Error, "Streams:ConsumerName '{Consumer}' is held by another running process too ({Holder}): two processes with one consumer name take each other's stream entries for their own. Stop one of them, or give each process a name of its own.")]
    public static partial void StreamConsumerNameHeldElsewhere(ILogger logger, string consumer, string holder);

    [LoggerMessage(346, LogLevel.Warning, "Taking or renewing Streams:ConsumerName '{Consumer}' failed ({Failures} in a row); trying again in {Delay}.")]
    public static partial void StreamConsumerNameRetrying(ILogger logger, string consumer, int failures, TimeSpan delay, Exception exception);

    [LoggerMessage(347, LogLevel.Warning, "Giving Streams:ConsumerName '{Consumer}' back failed; it frees itself within {VisibilityTimeout}.")]
    public static partial void StreamConsumerNameNotReleased(ILogger logger, string consumer, TimeSpan visibilityTimeout, Exception exception);
}
