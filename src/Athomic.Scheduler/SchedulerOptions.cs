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
