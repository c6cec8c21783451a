using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Redis;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>Starting and stopping the streams broker: reader connections, consumer groups, read loops, draining.</summary>
internal sealed partial class RedisStreamsBroker
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return; // Worker:Enabled = false: this host only schedules; it must not take entries from the stream.
        }

        var readers = await Task.WhenAll(_parts.Select(p => _openReader(p.Index))).ConfigureAwait(false);
        for (var i = 0; i < _parts.Length; i++)
        {
            _parts[i].Reader = readers[i];
        }

        foreach (var part in _parts)
        {
            try
            {
                await part.Queue.EnsureGroupAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex); // the read loop creates the group once Redis answers
            }
        }

        foreach (var part in _parts)
        {
            part.ReadLoop = Task.Run(() => ReadLoopAsync(part), CancellationToken.None);
        }

        _keepAliveLoop = Task.Run(KeepAliveLoopAsync, CancellationToken.None);
        Log.StreamsBrokerStarted(_logger, Consumer, RedisStreamQueue.GroupName, _parts.Length, _concurrency, _visibility);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            return;
        }

        await _stopReading.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_parts.Select(p => p.ReadLoop)).ConfigureAwait(false);

        // Every slot back means every handler ended; past the shutdown timeout, handlers are cancelled and hand back.
        var drained = 0;
        try
        {
            for (; drained < _concurrency; drained++)
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            await _cancelHandlers.CancelAsync().ConfigureAwait(false);
        }

        for (; drained < _concurrency; drained++)
        {
            await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _stopKeepAlive.CancelAsync().ConfigureAwait(false);
        await _keepAliveLoop.ConfigureAwait(false);
        foreach (var part in _parts)
        {
            try
            {
                await part.Queue.RemoveGoneConsumersAsync(TimeSpan.Zero, self: true).ConfigureAwait(false); // only when it holds nothing
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                Log.StreamReadFailed(_logger, 1, TimeSpan.Zero, ex);
            }
        }

        foreach (var part in _parts)
        {
            if (part.Reader is { Owned: true, Connection: { } reader })
            {
                await reader.CloseAsync().ConfigureAwait(false);
                reader.Dispose();
            }
        }

        Log.StreamsBrokerStopped(_logger, Consumer);
    }
}
