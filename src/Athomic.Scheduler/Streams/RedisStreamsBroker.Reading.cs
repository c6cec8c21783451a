using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>The streams broker's read loops (one per partition): free slots, reclaim sweeps, reads, and running each entry.</summary>
internal sealed partial class RedisStreamsBroker
{
    private async Task ReadLoopAsync(StreamPartition part)
    {
        var token = _stopReading.Token;
        var failures = 0;
        var drained = false; // the first look reads without blocking, so a backlog starts at once
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

            // One partition: take every free slot and read as many entries, blocking until one comes (nothing else
            // competes for the slots). Several partitions, stream drained: a slot is free, so wait for one entry, but
            // without holding the slot (another partition may need it meanwhile). Otherwise take every free slot and
            // read as many entries without blocking.
            var shared = _parts.Length > 1;
            var blocking = shared && drained && _time.GetTimestamp() < part.NextReclaim;
            var free = 0;
            if (blocking)
            {
                _slots.Release();
            }
            else
            {
                free = 1;
                while (free < _concurrency && _slots.Wait(0))
                {
                    free++;
                }
            }

            IReadOnlyList<StreamDelivery> batch;
            try
            {
                (batch, drained) = blocking
                    ? (await part.Queue.ReadAsync(part.Reader.Connection, 1, ReadBlock).ConfigureAwait(false), false)
                    : await NextBatchAsync(part, free, shared ? null : ReadBlock).ConfigureAwait(false);
                failures = 0;
            }
            catch (Exception ex)
            {
                // Whatever went wrong (Redis down, a reply this build does not expect), the loop must live on.
                if (free > 0)
                {
                    _slots.Release(free);
                }

                await OnReadFailedAsync(part, ex, ++failures, token).ConfigureAwait(false);
                continue;
            }

            if (blocking)
            {
                if (batch.Count == 0)
                {
                    drained = true;
                    continue;
                }

                if (!await AwaitSlotAsync(batch[0], token).ConfigureAwait(false))
                {
                    return;
                }
            }
            else if (batch.Count < free)
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
                _running.TryAdd(delivery.Receipt, null);
                _ = Task.Run(() => RunAsync(delivery), CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// A reclaim sweep when one is due, else new entries, waiting up to <paramref name="block"/> for one
    /// (<see langword="null"/>: not at all); <c>Drained</c> when the stream had no more.
    /// </summary>
    private async Task<(IReadOnlyList<StreamDelivery> Batch, bool Drained)> NextBatchAsync(StreamPartition part, int count, TimeSpan? block)
    {
        var now = _time.GetTimestamp();
        if (now >= part.NextReclaim)
        {
            var (swept, next) = await part.Queue.AutoClaimAsync(_visibility, part.ReclaimCursor, count).ConfigureAwait(false);

            // An entry this process still runs went idle only because its keep-alive could not reach Redis: not again here.
            var claimed = swept.Where(d => !_running.ContainsKey(d.Receipt)).ToList();
            Interlocked.Increment(ref _reclaimScans);
            part.ReclaimCursor = next;
            var sweepDone = next == "0-0" || swept.Count < count;
            part.NextReclaim = sweepDone ? now + (long)(_visibility.TotalSeconds / 2 * _time.TimestampFrequency) : now;
            if (sweepDone && now >= part.NextCleanup)
            {
                part.NextCleanup = now + (long)(GoneConsumerIdle.TotalSeconds * _time.TimestampFrequency);
                await part.Queue.RemoveGoneConsumersAsync(GoneConsumerIdle).ConfigureAwait(false);
            }

            if (claimed.Count > 0)
            {
                SchedulerMetrics.ReclaimedCounter.Add(claimed.Count, _schedule);
                Log.StreamEntriesReclaimed(_logger, claimed.Count, _visibility);
                return (await LimitDeliveriesAsync(part, claimed).ConfigureAwait(false), false);
            }
        }

        var read = await part.Queue.ReadAsync(part.Reader.Connection, count, block).ConfigureAwait(false);
        return (read, read.Count < count);
    }

    /// <summary>
    /// Marks the reclaimed entries delivered more than <c>Execution:MaxDeliveries</c> times, so they are dead-lettered
    /// with that reason instead of run again (their handler took its process down each time).
    /// </summary>
    private async Task<IReadOnlyList<StreamDelivery>> LimitDeliveriesAsync(StreamPartition part, List<StreamDelivery> claimed)
    {
        var counts = await part.Queue.DeliveryCountsAsync(claimed.ConvertAll(d => d.EntryId)).ConfigureAwait(false);
        for (var i = 0; i < claimed.Count; i++)
        {
            if (counts[i] > _maxDeliveries && claimed[i].Problem is null)
            {
                claimed[i] = claimed[i] with
                {
                    Problem = LeaseOutcome.DeliveredTooOften(counts[i], _maxDeliveries),
                };
            }
        }

        return claimed;
    }

    private async Task OnReadFailedAsync(StreamPartition part, Exception ex, int failures, CancellationToken token)
    {
        if (ex.Message.Contains("NOGROUP", StringComparison.Ordinal))
        {
            try
            {
                await part.Queue.EnsureGroupAsync().ConfigureAwait(false);
                Log.StreamGroupRecreated(_logger);
                return;
            }
            catch (Exception again) when (again is StackExchange.Redis.RedisException or TimeoutException)
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
}
