using System.Collections.Concurrent;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Group commit of single-task schedules: concurrent callers' tasks share one <c>schedule.lua</c> call. A caller
/// enqueues its task; if no call is being sent, it sends at once (a lone caller never waits for a timer or for
/// others), otherwise its task rides in the next call, sent as soon as the current one returns.
/// </summary>
internal sealed partial class RedisScheduleStore
{
    /// <summary>Most tasks in one coalesced call.</summary>
    private const int CoalesceMax = 512;

    private readonly ConcurrentQueue<PendingSchedule> _queued = new();
    private int _sending;

    private sealed class PendingSchedule(StoreItem item, ExistingTaskPolicy policy)
        : TaskCompletionSource<ScheduleStatus>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public StoreItem Item { get; } = item;

        public ExistingTaskPolicy Policy { get; } = policy;
    }

    private async Task<ScheduleStatus[]> ScheduleOneAsync(StoreItem item, ExistingTaskPolicy policy)
    {
        if (_queued.IsEmpty && Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            // A lone caller sends its own call, with no hand-off to another task; callers arriving meanwhile queue up
            // and go next, together, drained by this caller before it returns.
            var lone = new PendingSchedule(item, policy);
            try
            {
                await SendBatchAsync([lone]).ConfigureAwait(false);
            }
            finally
            {
                _ = SendQueuedAsync();
            }

            return [await lone.Task.ConfigureAwait(false)];
        }

        var pending = new PendingSchedule(item, policy);
        _queued.Enqueue(pending);
        if (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _ = SendQueuedAsync();
        }

        return [await pending.Task.ConfigureAwait(false)];
    }

    /// <summary>Sends queued tasks, one script call at a time, until the queue is empty.</summary>
    private async Task SendQueuedAsync()
    {
        var batch = new List<PendingSchedule>(CoalesceMax);
        while (true)
        {
            while (batch.Count < CoalesceMax && _queued.TryPeek(out var head) && (batch.Count == 0 || head.Policy == batch[0].Policy)
                && _queued.TryDequeue(out var next))
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

            await SendBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task SendBatchAsync(List<PendingSchedule> batch)
    {
        try
        {
            var args = new RedisValue[2 + (batch.Count * 4)];
            args[0] = _keys.WakeChannelName;
            args[1] = batch[0].Policy == ExistingTaskPolicy.Refuse ? "1" : "0";
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i].Item;
                args[2 + (i * 4)] = item.TaskId;
                args[3 + (i * 4)] = item.IsRelative ? "d" : "a";
                args[4 + (i * 4)] = item.DueMilliseconds;
                args[5 + (i * 4)] = item.Envelope;
            }

            var statuses = ScheduleReply.Read(await Call(Db.ScriptEvaluateAsync(LuaScripts.Schedule, _scheduleKeys, args)).ConfigureAwait(false));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(statuses[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.TrySetException(ex);
            }
        }
    }
}
