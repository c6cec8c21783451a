using Athomic.Scheduler.Storage;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>Creates the Redis stores of one schedule (or one partition of it): one connection, one key prefix.</summary>
internal static class RedisStores
{
    /// <summary>Creates the task, recurring and dead-letter stores under <paramref name="keyPrefix"/>.</summary>
    /// <param name="connection">The Redis connection.</param>
    /// <param name="keyPrefix">The key prefix; it becomes the hash tag <c>{keyPrefix}</c> of every key.</param>
    /// <param name="retention">How many dead letters are kept, and for how long; <see cref="DeadLetterRetention.Default"/> when <see langword="null"/>.</param>
    /// <param name="writeConcern">How many replicas confirm each acknowledged write; <see cref="WriteConcern.None"/> when <see langword="null"/>.</param>
    /// <returns>The three stores.</returns>
    public static ScheduleStores Create(IConnectionMultiplexer connection, string keyPrefix, DeadLetterRetention? retention = null, WriteConcern? writeConcern = null)
    {
        var redis = new RedisSchedule(connection, keyPrefix) { WriteConcern = writeConcern ?? WriteConcern.None };
        return new(
            new RedisScheduleStore(redis) { Retention = retention ?? DeadLetterRetention.Default },
            new RedisRecurringStore(redis),
            new RedisDeadLetterStore(redis))
        {
            Statistics = [new RedisStatistics(redis)],
            Operations = [new RedisOperations(redis)],
        };
    }
}
