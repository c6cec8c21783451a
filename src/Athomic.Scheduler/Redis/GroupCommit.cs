using System.Collections.Concurrent;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Group commit: concurrent callers' items share one call. A caller whose item finds no call being sent and nothing
/// queued sends it at once, itself (a lone caller never waits for a timer, for others or for a hand-off to another
/// task); otherwise its item rides in the next call, sent as soon as the current one returns. Used for single-task
/// schedules and for acknowledgements, which many callers make at the same time.
/// </summary>
/// <typeparam name="TItem">What a caller hands in.</typeparam>
/// <typeparam name="TResult">What each caller gets back.</typeparam>
/// <param name="send">Sends one call with the items of a batch, in order; returns one result per item, in order.</param>
/// <param name="maxBatch">Most items in one call.</param>
/// <param name="sizeOf">
/// The size of an item (for example its bytes on the wire); <see langword="null"/>: items have no size and only
/// <paramref name="maxBatch"/> caps a call.
/// </param>
/// <param name="maxSize">Most total <paramref name="sizeOf"/> in one call; an item larger than this goes alone.</param>
/// <param name="sameCall">
/// Whether an item may ride in the call of the batch's first item (for example: only items with the same policy);
/// <see langword="null"/>: any item may.
/// </param>
/// <param name="sendLoneItemInline">
/// Whether a lone caller sends its item itself (single schedules: one caller waits for one round trip). Acks pass
/// <see langword="false"/>: they arrive from many handlers in bursts, and handing every ack to the drain task lets the
/// acks that arrive during a call share the next one, where a caller sending inline would take the send slot alone.
/// </param>
internal sealed class GroupCommit<TItem, TResult>(
    Func<IReadOnlyList<TItem>, Task<TResult[]>> send,
    int maxBatch,
    Func<TItem, TItem, bool>? sameCall = null,
    bool sendLoneItemInline = true,
    Func<TItem, long>? sizeOf = null,
    long maxSize = long.MaxValue)
{
    private readonly ConcurrentQueue<Pending> _queued = new();
    private int _sending;

    /// <summary>Sends <paramref name="item"/>, alone or with the items of concurrent callers.</summary>
    public Task<TResult> SendAsync(TItem item)
    {
        if (sendLoneItemInline && _queued.IsEmpty && Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            return SendAloneAsync(item);
        }

        var pending = new Pending(item);
        _queued.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = DrainAsync();
        }

        return pending.Task;
    }

    /// <summary>
    /// Sends a lone caller's item in its own call; items queued meanwhile go next, together, drained by this caller
    /// before it returns.
    /// </summary>
    private async Task<TResult> SendAloneAsync(TItem item)
    {
        try
        {
            return (await send([item]).ConfigureAwait(false))[0];
        }
        finally
        {
            _ = DrainAsync();
        }
    }

    /// <summary>Sends queued items, one call at a time, until the queue is empty.</summary>
    private async Task DrainAsync()
    {
        var batch = new List<Pending>();
        while (true)
        {
            long size = 0;
            while (batch.Count < maxBatch && _queued.TryPeek(out var head) && (batch.Count == 0 || Fits(batch[0].Item, head.Item, size))
                && _queued.TryDequeue(out var next))
            {
                batch.Add(next);
                size += sizeOf?.Invoke(next.Item) ?? 0;
            }

            if (batch.Count == 0)
            {
                Volatile.Write(ref _sending, 0);

                // A caller may have enqueued after the last dequeue but before the flag was cleared.
                if (_queued.IsEmpty || Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            try
            {
                var results = await send(batch.ConvertAll(p => p.Item)).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.TrySetException(ex);
                }
            }

            batch.Clear();
        }
    }

    /// <summary>Whether <paramref name="next"/> may join a non-empty batch that starts with <paramref name="first"/> and has <paramref name="size"/> so far.</summary>
    private bool Fits(TItem first, TItem next, long size) =>
        (sameCall is null || sameCall(first, next)) && (sizeOf is null || size + sizeOf(next) <= maxSize);

    private sealed class Pending(TItem item) : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public TItem Item { get; } = item;
    }
}
