using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// Holds this process's consumer name for as long as it reads the streams: a key with a time to live of the visibility
/// timeout (<c>stream_name.lua</c>), renewed every third of it and deleted when the broker stops. Every ownership check
/// of the streams compares consumer names, so a second running process with the same <c>Streams:ConsumerName</c> would
/// take the first one's entries for its own (keep them alive, end them); such a process does not start.
/// </summary>
/// <remarks>
/// A process that died without stopping holds its name until its hold runs out (at most the visibility timeout): a new
/// process with that name waits that long at start, and fails to start only when the name is still held then, that is,
/// renewed by a live process. When Redis cannot be reached at start, the start goes on and reading waits until the name
/// is taken.
/// </remarks>
/// <param name="queue">The first partition's queue: its keys hold the name.</param>
/// <param name="visibility">The visibility timeout: the hold's time to live.</param>
/// <param name="time">The clock for timers.</param>
/// <param name="logger">The logger.</param>
internal sealed class StreamConsumerName(RedisStreamQueue queue, TimeSpan visibility, TimeProvider time, ILogger logger)
{
    // Unique to this start of this process: two processes, or two starts, never hold the name for each other.
    private readonly string _holder = Storage.LeaseOwnerName.Current + "/" + Guid.NewGuid().ToString("N")[..8];
    private readonly TaskCompletionSource _taken = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _renewal = Task.CompletedTask;

    /// <summary>The consumer name.</summary>
    public string Name => queue.Consumer;

    /// <summary>Completes once the name is this process's: reading waits for it.</summary>
    public Task Taken => _taken.Task;

    /// <summary>
    /// Takes the name, waiting up to the visibility timeout (and a third) while another process holds it, then keeps it.
    /// When Redis cannot be reached, returns and keeps trying in the background.
    /// </summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="InvalidOperationException">A running process holds the name.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var patience = visibility + (visibility / 3);
        var said = false;
        while (true)
        {
            (bool Taken, string? Holder, TimeSpan? Left) attempt;
            try
            {
                attempt = await queue.TakeNameAsync(_holder, visibility).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or SchedulerUnavailableException)
            {
                Log.StreamConsumerNameRetrying(logger, Name, 1, TimeSpan.Zero, ex);
                break; // the renewal loop takes it once Redis answers
            }

            if (attempt.Taken)
            {
                _taken.TrySetResult();
                break;
            }

            var remaining = patience - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new InvalidOperationException(
                    $"Athomic:Scheduler:Streams:ConsumerName '{Name}' is in use by another running process ({attempt.Holder}): two processes with one " +
                    "consumer name would each take the other's stream entries for their own. Give each process a name of its own, or leave " +
                    $"ConsumerName unset for a unique one. (A process that ended without stopping frees its name within the visibility timeout, {visibility}; this start waited that long.)");
            }

            if (!said)
            {
                Log.StreamConsumerNameBusy(logger, Name, attempt.Holder ?? "?", attempt.Left ?? remaining);
                said = true;
            }

            var wait = attempt.Left is { } left && left + TimeSpan.FromMilliseconds(10) < remaining ? left + TimeSpan.FromMilliseconds(10) : remaining;
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }

        _renewal = Task.Run(RenewLoopAsync, CancellationToken.None);
    }

    /// <summary>Stops renewing and gives the name back, so the next process with it starts at once.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        try
        {
            await queue.ReleaseNameAsync(_holder).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
        {
            Log.StreamConsumerNameNotReleased(logger, Name, visibility, ex); // the hold runs out by itself
        }
    }

    /// <summary>
    /// Renews the hold every third of the visibility timeout (or takes it, when Redis could not be reached at start), on
    /// <see cref="RenewalCadence"/>: on time even while the last reply is awaited; a failed renewal is retried after
    /// 100 ms, doubling per failure in a row.
    /// </summary>
    private Task RenewLoopAsync()
    {
        var period = visibility / 3;
        return RenewalCadence.RunAsync(
            period,
            _taken.Task.IsCompleted ? period : TimeSpan.Zero,
            time,
            RenewAsync,
            (failures, retry, error) => Log.StreamConsumerNameRetrying(logger, Name, failures, retry, error),
            _stop.Token);
    }

    private async Task<Exception?> RenewAsync()
    {
        try
        {
            var (taken, holder, _) = await queue.TakeNameAsync(_holder, visibility).ConfigureAwait(false);
            if (taken)
            {
                _taken.TrySetResult();
            }
            else
            {
                // Another process with this name started while this one stalled past its hold (or before Redis could be
                // reached at this start).
                Log.StreamConsumerNameHeldElsewhere(logger, Name, holder ?? "?");
            }

            return null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or SchedulerUnavailableException)
        {
            return ex;
        }
    }
}
