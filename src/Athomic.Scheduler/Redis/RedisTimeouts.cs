using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>How long a connection waits for a reply before it fails a command.</summary>
internal static class RedisTimeouts
{
    /// <summary>The larger of the connection's <c>syncTimeout</c> and <c>asyncTimeout</c> (async commands use the latter).</summary>
    public static TimeSpan Of(IConnectionMultiplexer connection)
    {
        var timeout = connection.TimeoutMilliseconds;
        try
        {
            timeout = Math.Max(timeout, ConfigurationOptions.Parse(connection.Configuration).AsyncTimeout);
        }
        catch (ArgumentException)
        {
            // A configuration string this client cannot parse again: the sync timeout is what is known.
        }

        return TimeSpan.FromMilliseconds(timeout);
    }
}
