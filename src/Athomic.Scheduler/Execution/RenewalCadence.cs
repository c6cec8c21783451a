namespace Athomic.Scheduler.Execution;

/// <summary>
/// The loop behind every renewal of a lease (claims, slots, stream entries, the consumer name): one renewal every
/// <c>period</c>, counted from when the previous one was <em>sent</em>, whether or not its reply came back.
/// </summary>
/// <remarks>
/// <para>
/// A loop that awaited each reply before it waited for the next period would let a stall of the replies alone cost the
/// lease: Redis runs every renewal it receives, but the next one would be sent only once the client gave up on the
/// last reply (its timeout, which the client checks about once a second), so with a 1 s timeout and a 2 s lease the
/// renewals reached Redis more than a lease apart. Here the next renewal goes out on time while the last reply is
/// still awaited; Redis runs them in order on the connection, and a reply that says a lease was lost stays true
/// however late it comes (a fencing token or a lapsed slot is never taken back), so late replies are applied as they
/// come.
/// </para>
/// <para>
/// A renewal that failed is retried after 100 ms, doubling per failure in a row, never later than the regular
/// cadence. At most <see cref="MaxUnanswered"/> renewals wait for their replies at once: past that the connection is
/// not answering, and more would only queue behind them.
/// </para>
/// </remarks>
internal static class RenewalCadence
{
    /// <summary>First wait after a failed renewal; doubles per failure in a row, capped by the renewal period.</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);

    /// <summary>Most renewals whose replies are awaited at once (a lease's worth at a third of the lease each).</summary>
    public const int MaxUnanswered = 3;

    /// <summary>
    /// When to try again after <paramref name="failures"/> failed renewals in a row: 100 ms, doubling per failure,
    /// never later than the regular <paramref name="period"/>.
    /// </summary>
    public static TimeSpan RetryDelay(int failures, TimeSpan period)
    {
        var retry = TimeSpan.FromTicks(FirstRetry.Ticks << Math.Min(failures - 1, 16));
        return retry < period ? retry : period;
    }

    /// <summary>Renews on the cadence until <paramref name="stoppingToken"/> is cancelled.</summary>
    /// <param name="period">The time between two renewals.</param>
    /// <param name="firstWait">The wait before the first renewal.</param>
    /// <param name="time">The clock.</param>
    /// <param name="renew">
    /// Starts one renewal and returns <see langword="null"/> when there is nothing to renew, or a task that gives the
    /// failure (<see langword="null"/> on success). It runs synchronously up to its first await, so its requests are
    /// sent when it returns. Any other exception of the task ends the loop with it.
    /// </param>
    /// <param name="failed">Told of the newest renewal's failure: failures in a row, the wait before the retry, the error.</param>
    /// <param name="stoppingToken">Stops the loop.</param>
    /// <returns>A task that completes when the loop stops.</returns>
    public static async Task RunAsync(
        TimeSpan period,
        TimeSpan firstWait,
        TimeProvider time,
        Func<Task<Exception?>?> renew,
        Action<int, TimeSpan, Exception> failed,
        CancellationToken stoppingToken)
    {
        var failures = 0;
        var sentAt = time.GetTimestamp();
        var dueAfter = firstWait;
        Task<Exception?>? newest = null;
        var unanswered = new List<Task<Exception?>>(MaxUnanswered);
        while (true)
        {
            var wait = dueAfter - time.GetElapsedTime(sentAt);
            if (wait > TimeSpan.Zero)
            {
                var delay = Task.Delay(wait, time, stoppingToken);
                if (newest is null)
                {
                    await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
                else
                {
                    await Task.WhenAny(delay, newest).ConfigureAwait(false);
                }
            }

            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            if (newest is { IsCompleted: true })
            {
                // The newest renewal answered before the next one was due: on success the cadence goes on from its send;
                // on failure it is retried soon.
                var error = await newest.ConfigureAwait(false);
                newest = null;
                if (error is null)
                {
                    failures = 0;
                }
                else
                {
                    var retry = RetryDelay(++failures, period);
                    var sinceSent = time.GetElapsedTime(sentAt);
                    dueAfter = sinceSent + retry < dueAfter ? sinceSent + retry : dueAfter;
                    failed(failures, retry, error);
                }

                continue;
            }

            // Due: sent even while earlier replies are still awaited, so Redis keeps receiving a renewal every period.
            foreach (var done in unanswered.Where(t => t.IsCompleted).ToArray())
            {
                unanswered.Remove(done);
                await done.ConfigureAwait(false); // an exception the renewal does not report ends the loop, as it always did
            }

            sentAt = time.GetTimestamp();
            dueAfter = period;
            if (unanswered.Count >= MaxUnanswered)
            {
                continue; // the connection is not answering: more would only queue behind the others
            }

            if (renew() is { } renewal)
            {
                newest = renewal;
                unanswered.Add(renewal);
            }
            else
            {
                failures = 0;
            }
        }
    }
}
