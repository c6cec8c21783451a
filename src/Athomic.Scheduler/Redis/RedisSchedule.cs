using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The Redis side of one schedule (or one partition of it), shared by its three stores (<see cref="RedisScheduleStore"/>,
/// <see cref="RedisRecurringStore"/>, <see cref="RedisDeadLetterStore"/>): the connection and the keys under one hash tag.
/// </summary>
internal sealed class RedisSchedule
{
    /// <summary>Creates the schedule's connection and keys.</summary>
    /// <param name="connection">The Redis connection.</param>
    /// <param name="keyPrefix">The key prefix; it becomes the hash tag <c>{keyPrefix}</c> of every key.</param>
    public RedisSchedule(IConnectionMultiplexer connection, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(keyPrefix);
        Connection = connection;
        Keys = new RedisKeys(keyPrefix);
    }

    /// <summary>The Redis connection.</summary>
    public IConnectionMultiplexer Connection { get; }

    /// <summary>The keys.</summary>
    public RedisKeys Keys { get; }

    /// <summary>The database the scripts run on.</summary>
    public IDatabase Db => Connection.GetDatabase();

    /// <summary>How many replicas confirm each acknowledged write (schedule, cancel, recurring upsert and removal, requeue).</summary>
    public WriteConcern WriteConcern { get; init; } = WriteConcern.None;

    /// <summary>Confirms the acknowledged writes sent so far on <see cref="WriteConcern"/> (nothing to do without one).</summary>
    public Task ConfirmWritesAsync() => WriteConcern.IsSet ? WriteConcern.ConfirmAsync(Connection, Keys.Pending) : Task.CompletedTask;
}
