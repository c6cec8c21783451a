using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// How the Redis stores call Redis: a lost or timed-out connection becomes a <see cref="SchedulerUnavailableException"/>,
/// and so do the errors of a failover under way (<see cref="IsFailoverError"/>), which a retry after the promotion cures.
/// Scripts get the same mapping in <see cref="EmbeddedScript"/>; other commands await through <see cref="Call{T}"/>.
/// </summary>
internal static class RedisStoreCalls
{
    /// <summary>
    /// Whether <paramref name="ex"/> is what a server answers while a failover is under way: <c>READONLY</c> (the command
    /// reached a replica, or a master being demoted), <c>LOADING</c> (a restarted or promoted server still loading its
    /// data), <c>MASTERDOWN</c> (a replica that lost its master) or <c>TRYAGAIN</c> (a cluster slot in migration).
    /// </summary>
    public static bool IsFailoverError(Exception ex) =>
        ex is RedisServerException { Message: var m }
        && (m.StartsWith("READONLY", StringComparison.Ordinal) || m.StartsWith("LOADING", StringComparison.Ordinal)
            || m.StartsWith("MASTERDOWN", StringComparison.Ordinal) || m.StartsWith("TRYAGAIN", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="ex"/> says the store cannot be reached now (a lost or timed-out connection, a failover under way).</summary>
    public static bool IsUnavailable(Exception ex) =>
        ex is RedisConnectionException or RedisTimeoutException or ObjectDisposedException || IsFailoverError(ex);

    /// <summary>The <see cref="SchedulerUnavailableException"/> that <paramref name="ex"/> (see <see cref="IsUnavailable"/>) becomes.</summary>
    public static SchedulerUnavailableException Unavailable(Exception ex) =>
        new("The Redis schedule store is unavailable: " + ex.Message, ex);

    /// <summary>Awaits <paramref name="call"/>, turning connection failures into <see cref="SchedulerUnavailableException"/>.</summary>
    public static async Task Call(Task call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Awaits <paramref name="call"/>, turning connection failures into <see cref="SchedulerUnavailableException"/>.</summary>
    public static async Task<T> Call<T>(Task<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            throw Unavailable(ex);
        }
    }
}
