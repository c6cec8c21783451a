using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Flow control's scripts (all partitions of a schedule share them), one method each: acquire, release and extend slots,
/// pause or resume a handler, describe the handlers' use. Their <c>KEYS</c> are per handler (and per concurrency key),
/// all under the hash tag of <see cref="FlowKeys"/> (see <see cref="TaskScripts"/>).
/// </summary>
internal sealed class FlowScripts
{
    private static readonly EmbeddedScript Acquire = EmbeddedScript.Load("flow_acquire");
    private static readonly EmbeddedScript Release = EmbeddedScript.Load("flow_release");
    private static readonly EmbeddedScript Extend = EmbeddedScript.Load("flow_extend");
    private static readonly EmbeddedScript Pause = EmbeddedScript.Load("flow_pause");
    private static readonly EmbeddedScript Describe = EmbeddedScript.Load("flow_describe");

    private readonly IConnectionMultiplexer _connection;
    private readonly FlowKeys _keys;
    private readonly RedisKey[] _pausedKeys;

    /// <summary>Binds the scripts to a schedule's flow keys.</summary>
    public FlowScripts(IConnectionMultiplexer connection, FlowKeys keys)
    {
        _connection = connection;
        _keys = keys;
        _pausedKeys = [keys.Paused];
    }

    private IDatabase Db => _connection.GetDatabase();

    /// <summary><c>flow_acquire.lua</c>: takes a slot (and a rate token) for each request, per request whether granted.</summary>
    public Task<FlowGrant[]> AcquireAsync(IReadOnlyList<FlowRequest> requests, TimeSpan lease)
    {
        var keys = new RedisKey[1 + (requests.Count * 3)];
        var args = new RedisValue[1 + (requests.Count * 6)];
        keys[0] = _keys.Paused;
        args[0] = (long)lease.TotalMilliseconds;
        for (var r = 0; r < requests.Count; r++)
        {
            var request = requests[r];
            var spec = request.Spec;
            keys[1 + (r * 3)] = _keys.Slots(request.Handler);
            keys[2 + (r * 3)] = _keys.KeySlots(request.Handler, request.Key ?? string.Empty);
            keys[3 + (r * 3)] = _keys.Rate(request.Handler);
            var a = 1 + (r * 6);
            args[a] = request.Handler;
            args[a + 1] = request.Member;
            args[a + 2] = spec.MaxConcurrency;
            args[a + 3] = request.Key is null ? 0 : spec.MaxConcurrencyPerKey;
            args[a + 4] = spec.RateLimit;
            args[a + 5] = spec.RateLimit > 0 ? (long)spec.RateLimitWindow.TotalMilliseconds : 0;
        }

        return Acquire.RunAsync(Db, keys, args, requests.Count, FlowAcquireReply.Read);
    }

    /// <summary><c>flow_release.lua</c>: frees the slots of <paramref name="held"/> and tells the workers.</summary>
    public Task ReleaseAsync(IReadOnlyList<FlowRequest> held)
    {
        var keys = new RedisKey[held.Count * 2];
        var args = new RedisValue[1 + (held.Count * 2)];
        args[0] = _keys.ChannelName;
        for (var r = 0; r < held.Count; r++)
        {
            keys[r * 2] = _keys.Slots(held[r].Handler);
            keys[(r * 2) + 1] = _keys.KeySlots(held[r].Handler, held[r].Key ?? string.Empty);
            args[1 + (r * 2)] = held[r].Handler;
            args[2 + (r * 2)] = held[r].Member;
        }

        return Release.RunAsync(Db, keys, args, static _ => true);
    }

    /// <summary><c>flow_extend.lua</c>: extends the slots of <paramref name="held"/> for <paramref name="lease"/>; returns those no longer held.</summary>
    public Task<IReadOnlyList<FlowRequest>> ExtendAsync(IReadOnlyList<FlowRequest> held, TimeSpan lease)
    {
        var keys = new RedisKey[held.Count * 2];
        var args = new RedisValue[1 + (held.Count * 2)];
        args[0] = (long)lease.TotalMilliseconds;
        for (var r = 0; r < held.Count; r++)
        {
            var request = held[r];
            keys[r * 2] = _keys.Slots(request.Handler);
            keys[(r * 2) + 1] = _keys.KeySlots(request.Handler, request.Key ?? string.Empty);
            args[1 + (r * 2)] = request.Member;
            args[2 + (r * 2)] = (request.Spec.MaxConcurrency > 0 ? 1 : 0) + (request.Key is not null && request.Spec.MaxConcurrencyPerKey > 0 ? 2 : 0);
        }

        return Extend.RunAsync(Db, keys, args, held, FlowExtendReply.Read);
    }

    /// <summary><c>flow_pause.lua</c>: pauses (or resumes) <paramref name="handler"/> and tells the workers; false when it already was.</summary>
    public Task<bool> PauseAsync(string handler, bool paused) =>
        Pause.RunAsync(Db, _pausedKeys, [_keys.ChannelName, handler, paused ? "1" : "0"], Scalar.Flag);

    /// <summary><c>flow_describe.lua</c>: per handler, its slots in use and the starts in its rate window.</summary>
    /// <param name="handlers">The handlers, in order: name, declared spec, whether paused.</param>
    public Task<FlowState[]> DescribeAsync(IReadOnlyList<(string Name, HandlerFlowSpec? Spec, bool Paused)> handlers)
    {
        var keys = new RedisKey[handlers.Count * 2];
        var args = new RedisValue[handlers.Count];
        for (var i = 0; i < handlers.Count; i++)
        {
            keys[i * 2] = _keys.Slots(handlers[i].Name);
            keys[(i * 2) + 1] = _keys.Rate(handlers[i].Name);
            args[i] = handlers[i].Spec is { RateLimit: > 0 } spec ? (long)spec.RateLimitWindow.TotalMilliseconds : 0;
        }

        return Describe.RunAsync(Db, keys, args, handlers, FlowDescribeReply.Read);
    }
}
