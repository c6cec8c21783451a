using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// What a blocking stream read does after it failed, for a partition's read loop and for the idle watch alike: a
/// consumer group that is gone (<c>NOGROUP</c>: the stream was deleted or the server lost it) is made again and the read
/// goes on at once; any other failure is logged and waits a backoff (50 ms doubling, at most <see cref="MaxDelay"/>).
/// </summary>
internal static class StreamReadFailure
{
    /// <summary>The longest wait between failed reads.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    /// <summary>Recovers from the failed read <paramref name="ex"/>, the <paramref name="failures"/>th in a row.</summary>
    /// <param name="ex">What the read threw.</param>
    /// <param name="queues">The partitions the read covered (their groups are made again on <c>NOGROUP</c>).</param>
    /// <param name="failures">Failed reads in a row, this one included.</param>
    /// <param name="logger">Where the failure is logged.</param>
    /// <param name="time">The clock of the backoff.</param>
    /// <param name="token">Stops the backoff (stopping).</param>
    public static async Task RecoverAsync(Exception ex, IReadOnlyList<RedisStreamQueue> queues, int failures, ILogger logger, TimeProvider time, CancellationToken token)
    {
        if (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            try
            {
                foreach (var queue in queues)
                {
                    await queue.EnsureGroupAsync().ConfigureAwait(false);
                }

                Log.StreamGroupRecreated(logger);
                return;
            }
            catch (Exception again) when (again is RedisException or TimeoutException)
            {
                ex = again;
            }
        }

        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
        Log.StreamReadFailed(logger, failures, delay, ex);
        try
        {
            await Task.Delay(delay, time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
