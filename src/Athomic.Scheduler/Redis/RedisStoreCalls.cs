using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>How the Redis stores call Redis: a lost or timed-out connection becomes a <see cref="SchedulerUnavailableException"/>.</summary>
internal static class RedisStoreCalls
{
    /// <summary>Awaits <paramref name="call"/>, turning connection failures into <see cref="SchedulerUnavailableException"/>.</summary>
    public static async Task Call(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: " + ex.Message, ex);
        }
    }

    /// <summary>Awaits <paramref name="call"/>, turning connection failures into <see cref="SchedulerUnavailableException"/>.</summary>
    public static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException)
        {
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: " + ex.Message, ex);
        }
    }
}
