namespace Athomic.Scheduler;

/// <summary>
/// Options of the scheduler, bound from configuration (for example the section <c>Athomic:Scheduler</c>) and
/// validated when the host starts: a bad value fails the start with a message naming the option.
/// </summary>
public sealed class SchedulerOptions
{
    /// <summary>The configuration section the options are conventionally bound from.</summary>
    public const string SectionName = "Athomic:Scheduler";

    /// <summary>The Redis connection string (StackExchange.Redis format) used by <c>UseRedis()</c> without arguments.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>
    /// The key prefix of the schedule; every key is <c>{KeyPrefix}:…</c>, one hash tag (partitions add
    /// <c>#i</c>, see <see cref="Partitions"/>). A valid task id without <c>#</c>. Default <c>athomic:scheduler</c>.
    /// </summary>
    public string KeyPrefix { get; set; } = "athomic:scheduler";

    /// <summary>
    /// How many partitions the Redis schedule is spread over, each under its own hash tag (<c>{KeyPrefix}</c> for
    /// partition 0, exactly today's single-partition keys, then <c>{KeyPrefix#1}</c>, <c>{KeyPrefix#2}</c>, …), so a
    /// Redis Cluster spreads them over its masters. A task's partition is fixed by its id
    /// (<see cref="Storage.TaskPartitioner"/>): every process must use the same count, and changing it strands the
    /// tasks of moved ids until it is changed back. With the Redis Streams broker each partition also has its own
    /// stream, and every worker process keeps one reader connection per partition. Default 1; at most 1024.
    /// </summary>
    public int Partitions { get; set; } = 1;

    /// <summary>What scheduling an already stored id does. Default <see cref="ExistingTaskPolicy.Reschedule"/>.</summary>
    public ExistingTaskPolicy ExistingTaskPolicy { get; set; } = ExistingTaskPolicy.Reschedule;

    /// <summary>The largest payload accepted, in bytes; larger ones are refused with an <see cref="ArgumentException"/>. Default 1 MiB.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>The longest delay (or distance of an execution time from now) accepted. Default 100 years.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromDays(36525);

    /// <summary>The polling worker.</summary>
    public SchedulerWorkerOptions Worker { get; set; } = new();

    /// <summary>
    /// How late a recurring occurrence may be added (by the claim that dispatches the occurrence before it, or by a
    /// worker) and still count as on time; older ones are missed and follow the schedule's <see cref="MisfirePolicy"/>.
    /// Also how long after a pending occurrence's time the workers check that it was dispatched. One minute by default.
    /// </summary>
    public TimeSpan RecurringMisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Execution of tasks by the in-process broker.</summary>
    public SchedulerExecutionOptions Execution { get; set; } = new();

    /// <summary>The Redis Streams broker (<c>UseRedisStreamsBroker()</c>).</summary>
    public SchedulerStreamsOptions Streams { get; set; } = new();

    /// <summary>Retention of dead letters.</summary>
    public SchedulerDeadLetterOptions DeadLetters { get; set; } = new();

    /// <summary>The write concern: how many Redis replicas confirm an acknowledged write before the call returns.</summary>
    public SchedulerDurabilityOptions Durability { get; set; } = new();

    /// <summary>
    /// How old the counts behind the gauges <c>athomic.scheduler.tasks.pending</c>, <c>…in_flight</c> and
    /// <c>…dead_letters</c> may be: an observation older than this reads the store again (one call per partition), so
    /// a metrics listener costs at most one call per partition per interval, and none without a listener. At least
    /// one second. Default 15 seconds.
    /// </summary>
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Retention of dead letters: the script that writes a dead letter, and every worker's poll of a partition, also
/// removes the oldest beyond <see cref="MaxCount"/> and those older than <see cref="MaxAge"/> (at most 100 per call),
/// so the dead letters never grow without bound, and letters past their age go even from a partition where nothing
/// is dead-lettered any more.
/// </summary>
public sealed class SchedulerDeadLetterOptions
{
    /// <summary>Most dead letters kept per partition; 0 keeps any number. Default 10,000.</summary>
    public int MaxCount { get; set; } = 10_000;

    /// <summary>Longest a dead letter is kept; <see cref="TimeSpan.Zero"/> keeps them for ever. Default 30 days.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(30);

    internal DeadLetterRetention Retention => new(MaxCount, MaxAge);
}

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

/// <summary>Options of <see cref="Hosting.SchedulerWorkerService"/>.</summary>
public sealed class SchedulerWorkerOptions
{
    /// <summary>Whether this host runs a worker. Default <see langword="true"/>; set <see langword="false"/> in hosts that only schedule.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many due tasks one claim takes at most. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The first idle poll delay. Default 1 s.</summary>
    public TimeSpan MinPollDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest idle poll delay. Default 30 s.</summary>
    public TimeSpan MaxPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The factor the idle poll delay grows by after each empty poll. Default 1.5.</summary>
    public double BackoffFactor { get; set; } = 1.5;

    /// <summary>How long a claimed task stays leased to this worker before any worker may reclaim it; renewed while the task runs. Default 30 s.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The poll delay after one more idle or failed poll: <paramref name="delay"/> grown by <see cref="BackoffFactor"/>, at most <see cref="MaxPollDelay"/>.</summary>
    internal TimeSpan GrowPollDelay(TimeSpan delay)
    {
        var grown = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * BackoffFactor);
        return grown > MaxPollDelay ? MaxPollDelay : grown;
    }
}

/// <summary>Options of task execution.</summary>
public sealed class SchedulerExecutionOptions
{
    /// <summary>How many handlers run at once in this process. Default 16.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Attempts before a failing task is dead-lettered (a handler's <see cref="ScheduledHandlerAttribute.MaxAttempts"/> overrides it). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// How many times a task may be handed to a handler without the handler finishing (its process died or stalled
    /// past the lease, or the stream entry's visibility timeout) before it is dead-lettered instead of run again: a
    /// task whose handler crashes or hangs its process every time would otherwise take down every worker in turn,
    /// forever. Failures a handler reports (exceptions) count against <see cref="MaxAttempts"/> instead. Default 10.
    /// </summary>
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>The delay before the first retry; doubles with each attempt, with jitter. Default 1 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries. Default 5 min.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);
}
