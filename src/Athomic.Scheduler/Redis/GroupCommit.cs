using System.Collections.Concurrent;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Group commit: concurrent callers' items share one call. A caller enqueues its item; if no call is being sent, it
/// sends at once (a lone caller never waits for a timer or for others), otherwise its item rides in the next call,
/// sent as soon as the current one returns. Used for acknowledgements, which many handlers end at the same time.
/// </summary>
/// <typeparam name="TItem">What a caller hands in.</typeparam>
/// <typeparam name="TResult">What each caller gets back.</typeparam>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<TResult[]>> send, int maxBatch)
{
    private readonly ConcurrentQueue<Pending> _queued = new();
    private int _sending;

    /// <summary>Sends <paramref name="item"/>, alone or with the items of concurrent callers.</summary>
    public Task<TResult> SendAsync(TItem item)
    {
        var pending = new Pending(item);
        _queued.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = DrainAsync();
        }

        return pending.Task;
    }

    /// <summary>Sends queued items, one call at a time, until the queue is empty.</summary>
    private async Task DrainAsync()
    {
        var batch = new List<Pending>();
        while (true)
        {
            while (batch.Count < maxBatch && _queued.TryDequeue(out var next))
            {
                batch.Add(next);
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

    private sealed class Pending(TItem item) : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public TItem Item { get; } = item;
    }
}
