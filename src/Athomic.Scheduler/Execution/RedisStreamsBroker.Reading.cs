using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Execution;

/// <summary>The streams broker's read loop: free slots, reclaim sweeps, blocking reads, and running each entry.</summary>
internal sealed partial class RedisStreamsBroker
{
    private async Task ReadLoopAsync()
    {
        var token = _stopReading.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var free = 1;
            while (free < _concurrency && _slots.Wait(0))
            {
                free++;
            }

            IReadOnlyList<StreamDelivery> batch;
            try
            {
                batch = await NextBatchAsync(free).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex)
            {
                // Whatever went wrong (Redis down, a reply this build does not expect), the loop must live on.
                _slots.Release(free);
                await OnReadFailedAsync(ex, ++failures, token).ConfigureAwait(false);
                continue;
            }

            if (batch.Count < free)
            {
                _slots.Release(free - batch.Count);
            }

            if (token.IsCancellationRequested)
            {
                await HandBackUnstartedAsync(batch).ConfigureAwait(false);
                return;
            }

            foreach (var delivery in batch)
            {
                _ = Task.Run(() => RunAsync(delivery), CancellationToken.None);
            }
        }
    }

    private async Task<IReadOnlyList<StreamDelivery>> NextBatchAsync(int count)
    {
        var now = _time.GetTimestamp();
        if (now >= Interlocked.Read(ref _nextReclaim))
        {
            var (swept, next) = await _queue.AutoClaimAsync(_visibility, _reclaimCursor, count).ConfigureAwait(false);

            // An entry this process still runs went idle only because its keep-alive could not reach Redis: not again here.
            var claimed = swept.Where(d => !_running.ContainsKey(d.EntryId)).ToList();
            Interlocked.Increment(ref _reclaimScans);
            _reclaimCursor = next;
            var sweepDone = next == "0-0" || swept.Count < count;
            Interlocked.Exchange(ref _nextReclaim, sweepDone ? now + (long)(_visibility.TotalSeconds / 2 * _time.TimestampFrequency) : now);
            if (sweepDone && now >= _nextCleanup)
            {
                _nextCleanup = now + (long)(GoneConsumerIdle.TotalSeconds * _time.TimestampFrequency);
                await _queue.RemoveGoneConsumersAsync(GoneConsumerIdle).ConfigureAwait(false);
            }

            if (claimed.Count > 0)
            {
                SchedulerMetrics.ReclaimedCounter.Add(claimed.Count, _schedule);
                Log.StreamEntriesReclaimed(_logger, claimed.Count, _visibility);
                return claimed;
            }
        }

        return await _queue.ReadAsync(_reader.Connection, count, ReadBlock).ConfigureAwait(false);
    }

    private async Task OnReadFailedAsync(Exception ex, int failures, CancellationToken token)
    {
        if (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            try
            {
                await _queue.EnsureGroupAsync().ConfigureAwait(false);
                Log.StreamGroupRecreated(_logger);
                return;
            }
            catch (Exception again) when (again is RedisException or TimeoutException)
            {
                ex = again;
            }
        }

        var delay = TimeSpan.FromMilliseconds(Math.Min(MaxReadRetryDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
        Log.StreamReadFailed(_logger, failures, delay, ex);
        try
        {
            await Task.Delay(delay, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunAsync(StreamDelivery delivery)
    {
        try
        {
            var due = delivery.DueMilliseconds > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(delivery.DueMilliseconds) : (DateTimeOffset?)null;
            if (delivery.Problem is { } problem)
            {
                await DeadLetterUnreadableAsync(delivery, problem).ConfigureAwait(false);
                return;
            }

            if (!LeaseOutcome.TryRead(delivery.TaskId, delivery.Envelope, due, out var task, out var reason))
            {
                await DeadLetterUnreadableAsync(delivery, reason).ConfigureAwait(false);
                return;
            }

            var lease = new TaskLease(task, this, delivery.EntryId);
            _running[delivery.EntryId] = lease;
            await _executor.ExecuteAsync(lease, _cancelHandlers.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.StreamEntryFailed(_logger, delivery.EntryId, ex);
        }
        finally
        {
            _running.TryRemove(delivery.EntryId, out _);
            _slots.Release();
        }
    }
}
