using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Observability;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>
/// The read loop of one partition's stream, on a reader connection of its own: takes free handler slots from the
/// <see cref="StreamEntryRunner"/>, sweeps the stream for entries of dead consumers (<c>XAUTOCLAIM</c>) every half
/// visibility timeout (paced over the partitions while nothing failed lately), reads new entries (<c>XREADGROUP</c>)
/// and hands each to the runner.
/// </summary>
/// <param name="queue">The partition's queue.</param>
/// <param name="runner">Owns the handler slots and runs the entries.</param>
/// <param name="keeper">Knows which entries this consumer holds (a reclaim sweep skips them), and when it last may have lost track of one.</param>
/// <param name="shared">Whether other partitions' loops share the handler slots.</param>
/// <param name="partitions">How many partitions (read loops) the process has: the reclaim sweeps of all of them share one pace.</param>
/// <param name="watch">The idle watch that waits for every drained partition with one read, or <see langword="null"/> (one partition, or a Redis Cluster).</param>
/// <param name="visibility">How long an entry stays idle before any consumer may reclaim it.</param>
/// <param name="maxDeliveries">Deliveries after which a reclaimed entry is dead-lettered instead of run.</param>
/// <param name="time">The clock for timers.</param>
/// <param name="logger">The logger.</param>
/// <param name="schedule">The metrics tag of the schedule.</param>
internal sealed class StreamReadLoop(
    RedisStreamQueue queue,
    StreamEntryRunner runner,
    StreamLeaseKeeper keeper,
    bool shared,
    int partitions,
    StreamIdleWatch? watch,
    TimeSpan visibility,
    int maxDeliveries,
    TimeProvider time,
    ILogger logger,
    KeyValuePair<string, object?> schedule)
{
    /// <summary>
    /// How long a short blocking read waits for an entry: the idle watch's while some partitions are busy, and a loop's
    /// own while the watch's read in flight does not cover it. Idle reads block up to <see cref="StreamIdleWatch.IdleBlock"/>.
    /// </summary>
    internal static readonly TimeSpan ReadBlock = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The idle pace of the reclaim sweeps over all partitions of a process: one sweep every this long at most, so an
    /// idle process's sweeps cost the same at any partition count (each partition is swept every half visibility
    /// timeout, or every this long times the partition count when that is longer).
    /// </summary>
    internal static readonly TimeSpan ReclaimPace = TimeSpan.FromSeconds(3);

    private bool _swept; // the first sweep (at start) was made

    // The connection of this partition's reads, and whether the broker opened it (and so closes it).
    private (IConnectionMultiplexer Connection, bool Owned) _reader;
    private Task _loop = Task.CompletedTask;
    private RedisValue _reclaimCursor = "0-0"; // where the next XAUTOCLAIM continues
    private long _nextReclaim;                 // when (TimeProvider.GetTimestamp) the next reclaim sweep is due
    private long _nextCleanup;                 // when gone consumers are next looked for
    private long _reclaimScans;
    private long _lostTrackSeen;               // the keeper's LostTrackAt this loop last brought its next sweep forward for

    /// <summary>The partition whose stream this loop reads.</summary>
    public int Partition => queue.Partition;

    /// <summary>How many reclaim sweeps this loop has made.</summary>
    public long ReclaimScans => Interlocked.Read(ref _reclaimScans);

    /// <summary>An empty consumer idle this long belongs to a process that is gone; it is removed from the group.</summary>
    private TimeSpan GoneConsumerIdle => TimeSpan.FromTicks(Math.Max(visibility.Ticks * 10, TimeSpan.FromMinutes(5).Ticks));

    /// <summary>
    /// How long after this process may have lost track of an entry (<see cref="StreamLeaseKeeper.LostTrack"/>) the
    /// sweeps keep the unpaced rate: a read whose reply was lost may still be answered by the server, with entries in
    /// this consumer's name, until its block ends (at most <see cref="StreamIdleWatch.IdleBlock"/>); such an entry can be
    /// taken over a visibility timeout later.
    /// </summary>
    private TimeSpan LostTrackWindow => StreamIdleWatch.IdleBlock + visibility;

    /// <summary>
    /// The time (in <see cref="TimeProvider.GetTimestamp"/> ticks) from one completed sweep of this partition to its
    /// next: half the visibility timeout, or <see cref="ReclaimPace"/> times the partition count when longer, except
    /// within <see cref="LostTrackWindow"/> of a lost track (then half the visibility timeout, so an entry left pending
    /// for nobody waits at most that long once it can be taken over). After the first sweep (every partition sweeps at
    /// start) the partitions are spread evenly over that period.
    /// </summary>
    private long NextSweepIn()
    {
        var lostTrack = keeper.LostTrackAt;
        var period = lostTrack != 0 && time.GetElapsedTime(lostTrack) < LostTrackWindow
            ? visibility.TotalSeconds / 2
            : Math.Max(visibility.TotalSeconds / 2, ReclaimPace.TotalSeconds * partitions);
        if (!_swept)
        {
            _swept = true;
            period = period * (Partition + 1) / partitions;
        }

        return (long)(period * time.TimestampFrequency);
    }

    /// <summary>When (<see cref="TimeProvider.GetTimestamp"/>) the next reclaim sweep is due.</summary>
    private long NextReclaim
    {
        get => Interlocked.Read(ref _nextReclaim);
        set => Interlocked.Exchange(ref _nextReclaim, value);
    }

    /// <summary>
    /// Once this process may have lost track of an entry (<see cref="StreamLeaseKeeper.LostTrack"/>) since this loop
    /// last looked, its next sweep comes at most half a visibility timeout after that, not at the paced time.
    /// </summary>
    private void SweepSoonAfterLostTrack()
    {
        var lostTrack = keeper.LostTrackAt;
        if (lostTrack == _lostTrackSeen)
        {
            return;
        }

        _lostTrackSeen = lostTrack;
        var soon = lostTrack + (long)(visibility.TotalSeconds / 2 * time.TimestampFrequency);
        if (soon < NextReclaim)
        {
            NextReclaim = soon;
        }
    }

    /// <summary>Starts reading on <paramref name="reader"/> once <paramref name="named"/> completes, until <paramref name="stop"/> fires.</summary>
    /// <param name="reader">The connection of this partition's reads, and whether the broker opened it.</param>
    /// <param name="stop">Stops the loop.</param>
    /// <param name="named">Completes once this process holds its consumer name (<see cref="StreamConsumerName"/>).</param>
    public void Start((IConnectionMultiplexer Connection, bool Owned) reader, CancellationToken stop, Task named)
    {
        _reader = reader;
        _loop = Task.Run(() => ReadLoopAsync(named, stop), CancellationToken.None);
    }

    /// <summary>Completes when the loop has ended (after its stop token fired).</summary>
    public Task Stopped => _loop;

    /// <summary>Closes the reader connection when the broker opened it.</summary>
    public Task CloseReaderAsync() => CloseAsync(_reader);

    /// <summary>
    /// Closes <paramref name="reader"/> when the broker opened it, without waiting for the blocking read it may still
    /// wait in (nothing else runs on it).
    /// </summary>
    internal static async Task CloseAsync((IConnectionMultiplexer Connection, bool Owned)? reader)
    {
        if (reader is { Owned: true, Connection: { } connection })
        {
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            connection.Dispose();
        }
    }

    private async Task ReadLoopAsync(Task named, CancellationToken token)
    {
        try
        {
            await named.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var failures = 0;
        var drained = false; // the first look reads without blocking, so a backlog starts at once
        while (!token.IsCancellationRequested)
        {
            if (watch?.TakeInbox(Partition) is { } early)
            {
                if (!await StartWhenSlotFreeAsync(early, token).ConfigureAwait(false))
                {
                    return;
                }

                drained = false;
                continue;
            }

            try
            {
                await runner.WaitForSlotAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // An entry the idle watch read for this partition while this loop was away (a reclaim sweep): it goes first.
            if (watch?.TakeInbox(Partition) is { } waiting)
            {
                runner.ReleaseSlots(1);
                if (!await StartWhenSlotFreeAsync(waiting, token).ConfigureAwait(false))
                {
                    return;
                }

                drained = false;
                continue;
            }

            SweepSoonAfterLostTrack();

            // One partition: take every free slot and read as many entries, blocking until one comes (nothing else
            // competes for the slots). Several partitions, stream drained: a slot is free, so wait for one entry, but
            // without holding the slot (another partition may need it meanwhile): parked in the idle watch, which
            // waits for every idle partition with one read, or else with a read of its own. Otherwise take every free
            // slot and read as many entries without blocking.
            var blocking = shared && drained && time.GetTimestamp() < NextReclaim;
            var free = 0;
            if (blocking)
            {
                runner.ReleaseSlots(1);
                if (watch?.TryPark(Partition, out var covered) is { } parked)
                {
                    if (!covered)
                    {
                        // The watch's read in flight started before this loop parked: read on its own until it ends.
                        IReadOnlyList<StreamDelivery> own;
                        try
                        {
                            (own, _) = await AbandonOnStopAsync(ReadOrNothingAsync(1, watch.UncoveredFor()), 0, token).ConfigureAwait(false);
                            failures = 0;
                        }
                        catch (Exception ex)
                        {
                            if (watch.Unpark(Partition, parked) is { } handed)
                            {
                                await HandBackHeldAsync(handed).ConfigureAwait(false);
                            }

                            if (token.IsCancellationRequested)
                            {
                                return;
                            }

                            await OnReadFailedAsync(ex, ++failures, token).ConfigureAwait(false);
                            continue;
                        }

                        if (own.Count > 0)
                        {
                            var handed = watch.Unpark(Partition, parked);
                            if (!await StartWhenSlotFreeAsync(own[0], token).ConfigureAwait(false))
                            {
                                if (handed is not null)
                                {
                                    await HandBackHeldAsync(handed).ConfigureAwait(false);
                                }

                                return;
                            }

                            if (handed is not null && !await StartWhenSlotFreeAsync(handed, token).ConfigureAwait(false))
                            {
                                return;
                            }

                            drained = false;
                            continue;
                        }
                    }

                    var delivery = await ParkAsync(parked, token).ConfigureAwait(false);
                    if (delivery is not null && !await StartWhenSlotFreeAsync(delivery, token).ConfigureAwait(false))
                    {
                        return;
                    }

                    drained = delivery is null;
                    continue;
                }
            }
            else
            {
                free = runner.TakeFreeSlots();
            }

            IReadOnlyList<StreamDelivery> batch;
            try
            {
                // Wherever the idle watch covers this stream, its new entries reach this process without a read here.
                var read = !(drained && watch is not null && watch.Covers(Partition));
                var pending = blocking
                    ? ReadOrNothingAsync(1, watch is null || watch.IsOff ? IdleBlock() : ReadBlock)
                    : NextBatchAsync(free, shared ? null : IdleBlock(), read);
                (batch, drained) = await AbandonOnStopAsync(pending, free, token).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return; // the read in flight hands back what it still delivers (AbandonOnStopAsync)
            }
            catch (Exception ex)
            {
                // Whatever went wrong (Redis down, a reply this build does not expect), the loop must live on.
                if (free > 0)
                {
                    runner.ReleaseSlots(free);
                }

                await OnReadFailedAsync(ex, ++failures, token).ConfigureAwait(false);
                continue;
            }

            if (blocking)
            {
                if (batch.Count == 0)
                {
                    drained = true;
                    continue;
                }

                if (!await runner.AwaitSlotAsync(batch[0], token).ConfigureAwait(false))
                {
                    return;
                }
            }
            else if (batch.Count < free)
            {
                runner.ReleaseSlots(free - batch.Count);
            }

            if (token.IsCancellationRequested)
            {
                await runner.HandBackUnstartedAsync(batch).ConfigureAwait(false);
                return;
            }

            foreach (var delivery in batch)
            {
                runner.Start(delivery);
            }
        }

        if (watch?.TakeInbox(Partition) is { } left)
        {
            await HandBackHeldAsync(left).ConfigureAwait(false);
        }
    }

    /// <summary>Hands back an entry the idle watch read for this loop (held, so kept alive, from the moment it was read) while stopping.</summary>
    private Task HandBackHeldAsync(StreamDelivery delivery)
    {
        keeper.Forget(delivery.Receipt);
        return runner.HandBackUnstartedAsync([delivery], holdsSlots: false);
    }

    /// <summary>
    /// How long a blocking read of this loop's own waits for an entry while idle: up to <see cref="StreamIdleWatch.IdleBlock"/>,
    /// ending when the next reclaim sweep is due (an entry added meanwhile ends it at once).
    /// </summary>
    private TimeSpan IdleBlock()
    {
        var left = time.GetElapsedTime(time.GetTimestamp(), NextReclaim);
        return left < ReadBlock ? ReadBlock : left > StreamIdleWatch.IdleBlock ? StreamIdleWatch.IdleBlock : left;
    }

    private async Task<(IReadOnlyList<StreamDelivery> Batch, bool Drained)> ReadOrNothingAsync(int count, TimeSpan block) =>
        (await queue.ReadAsync(_reader.Connection, count, block).ConfigureAwait(false), false);

    /// <summary>
    /// Waits for <paramref name="read"/>, or stops waiting when <paramref name="token"/> fires: a blocking read may wait
    /// for seconds yet. Its <paramref name="slots"/> are given back then, and whatever it still delivers is handed back
    /// to the group (its connection closes when the broker stops, which ends it).
    /// </summary>
    private async Task<(IReadOnlyList<StreamDelivery> Batch, bool Drained)> AbandonOnStopAsync(Task<(IReadOnlyList<StreamDelivery> Batch, bool Drained)> read, int slots, CancellationToken token)
    {
        try
        {
            return await read.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !read.IsCompleted)
        {
            if (slots > 0)
            {
                runner.ReleaseSlots(slots);
            }

            _ = read.ContinueWith(
                r => runner.HandBackUnstartedAsync(r.Result.Batch, holdsSlots: false),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default).Unwrap();
            throw;
        }
    }

    /// <summary>
    /// Waits in the idle watch until it reads an entry for this partition (returned, held by this loop now), the next
    /// reclaim sweep is due, this process may have lost track of an entry (the next sweep comes sooner then), or the
    /// loop stops (<see langword="null"/> but for an entry handed meanwhile).
    /// </summary>
    private async Task<StreamDelivery?> ParkAsync(Task<StreamDelivery?> parked, CancellationToken token)
    {
        var lostTrack = keeper.NextLostTrack;
        SweepSoonAfterLostTrack();
        var left = time.GetElapsedTime(time.GetTimestamp(), NextReclaim);
        try
        {
            if (await Task.WhenAny(parked, lostTrack).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, time, token).ConfigureAwait(false) == parked)
            {
                return await parked.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The sweep is due, or stopping.
        }

        var handed = watch!.Unpark(Partition, parked);
        if (handed is not null && token.IsCancellationRequested)
        {
            await HandBackHeldAsync(handed).ConfigureAwait(false);
            return null;
        }

        return handed;
    }

    /// <summary>Holds <paramref name="delivery"/> (kept alive) until a handler slot is free, then starts it; <see langword="false"/> when stopping (handed back).</summary>
    private async Task<bool> StartWhenSlotFreeAsync(StreamDelivery delivery, CancellationToken token)
    {
        if (!await runner.AwaitSlotAsync(delivery, token).ConfigureAwait(false))
        {
            return false;
        }

        if (token.IsCancellationRequested)
        {
            await runner.HandBackUnstartedAsync([delivery]).ConfigureAwait(false);
            return false;
        }

        runner.Start(delivery);
        return true;
    }

    /// <summary>
    /// A reclaim sweep when one is due, else new entries, waiting up to <paramref name="block"/> for one
    /// (<see langword="null"/>: not at all); <c>Drained</c> when the stream had no more.
    /// </summary>
    private async Task<(IReadOnlyList<StreamDelivery> Batch, bool Drained)> NextBatchAsync(int count, TimeSpan? block, bool read = true)
    {
        var now = time.GetTimestamp();
        if (now >= NextReclaim)
        {
            var (swept, next, deleted) = await queue.AutoClaimAsync(visibility, _reclaimCursor, count).ConfigureAwait(false);
            if (deleted.Count > 0)
            {
                // Entries deleted outside the scheduler: Redis dropped them from the pending list as it named them.
                await ForgetGoneEntriesAsync(deleted).ConfigureAwait(false);
            }

            // An entry this process still runs went idle only because its keep-alive could not reach Redis: not again here.
            var claimed = swept.Where(d => !keeper.Holds(d.Receipt)).ToList();
            Interlocked.Increment(ref _reclaimScans);
            _reclaimCursor = next;
            var sweepDone = next == "0-0" || swept.Count < count;
            NextReclaim = sweepDone ? now + NextSweepIn() : now;
            if (sweepDone && now >= _nextCleanup)
            {
                _nextCleanup = now + (long)(GoneConsumerIdle.TotalSeconds * time.TimestampFrequency);
                await queue.RemoveGoneConsumersAsync(GoneConsumerIdle).ConfigureAwait(false);

                // Entries deleted before any consumer read them never show in a sweep: more marks than entries tell.
                await ForgetGoneEntriesAsync(null).ConfigureAwait(false);
            }

            if (claimed.Count > 0)
            {
                SchedulerMetrics.ReclaimedCounter.Add(claimed.Count, schedule);
                Log.StreamEntriesReclaimed(logger, claimed.Count, visibility);
                return (await LimitDeliveriesAsync(claimed).ConfigureAwait(false), false);
            }
        }

        if (!read)
        {
            return ([], true); // only the sweep: the idle watch reads this stream's new entries
        }

        var entries = await queue.ReadAsync(_reader.Connection, count, block).ConfigureAwait(false);
        return (entries, entries.Count < count);
    }

    /// <summary>
    /// Forgets the tasks whose entries were deleted from the stream outside the scheduler (<paramref name="deleted"/>,
    /// as the reclaim sweep named them; <see langword="null"/>: any, looked for at start and then with the cleanup of
    /// gone consumers, and only when the stream holds fewer entries than there are marks), so the versions held back
    /// behind them run. A failure is logged: the entries stay marked until the next cleanup looks again.
    /// </summary>
    private async Task ForgetGoneEntriesAsync(IReadOnlyList<string>? deleted)
    {
        try
        {
            if (deleted is null && !await queue.MayHaveGoneEntriesAsync().ConfigureAwait(false))
            {
                return;
            }

            var forgotten = await queue.ForgetGoneEntriesAsync(deleted, visibility).ConfigureAwait(false);
            if (forgotten.Count > 0)
            {
                Log.StreamEntriesGone(logger, forgotten.Count, Partition, string.Join(", ", forgotten.Take(20)) + (forgotten.Count > 20 ? ", …" : ""));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or SchedulerUnavailableException)
        {
            Log.StreamGoneEntriesCheckFailed(logger, Partition, ex);
        }
    }

    /// <summary>
    /// Marks the reclaimed entries delivered more than <c>Execution:MaxDeliveries</c> times, so they are dead-lettered
    /// with that reason instead of run again (their handler took its process down each time).
    /// </summary>
    private async Task<IReadOnlyList<StreamDelivery>> LimitDeliveriesAsync(List<StreamDelivery> claimed)
    {
        var counts = await queue.DeliveryCountsAsync(claimed.ConvertAll(d => d.EntryId)).ConfigureAwait(false);
        for (var i = 0; i < claimed.Count; i++)
        {
            if (counts[i] > maxDeliveries && claimed[i].Problem is null)
            {
                claimed[i] = claimed[i] with
                {
                    Problem = LeaseOutcome.DeliveredTooOften(counts[i], maxDeliveries),
                };
            }
        }

        return claimed;
    }

    private Task OnReadFailedAsync(Exception ex, int failures, CancellationToken token)
    {
        keeper.LostTrack(); // a read's or a sweep's reply may be lost with entries taken in this consumer's name
        return StreamReadFailure.RecoverAsync(ex, [queue], failures, logger, time, token);
    }
}
