using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Flow;
using StackExchange.Redis;
using static Athomic.Scheduler.Redis.RedisStoreCalls;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// Flow control on Redis: slots, rate windows and the paused set under the hash tag of <see cref="FlowKeys"/>, one
/// script per job (<c>flow_*.lua</c>); the Redis server's <c>TIME</c> is the clock of every lease and window.
/// </summary>
internal sealed class RedisFlowStore : IFlowStore
{
    private readonly IConnectionMultiplexer _connection;
    private readonly FlowKeys _keys;

    public RedisFlowStore(IConnectionMultiplexer connection, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _keys = new FlowKeys(keyPrefix);
    }

    private IDatabase Db => _connection.GetDatabase();

    public async Task PublishLimitsAsync(IReadOnlyList<KeyValuePair<string, HandlerFlowSpec>> specs, CancellationToken cancellationToken)
    {
        if (specs.Count > 0)
        {
            var entries = specs.Select(s => new HashEntry(s.Key, FlowSpecText.Format(s.Value))).ToArray();
            await Call(Db.HashSetAsync(_keys.Limits, entries)).ConfigureAwait(false);
        }
    }

    public async Task<FlowGrant[]> AcquireAsync(IReadOnlyList<FlowRequest> requests, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return [];
        }

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

        var reply = (RedisResult[])(await Call(Db.ScriptEvaluateAsync(LuaScripts.FlowAcquire, keys, args)).ConfigureAwait(false))!;
        var grants = new FlowGrant[requests.Count];
        for (var r = 0; r < grants.Length; r++)
        {
            var status = (int)reply[r * 2];
            grants[r] = new FlowGrant(status == 1, status == -1, (long)reply[(r * 2) + 1]);
        }

        return grants;
    }

    public async Task ReleaseAsync(IReadOnlyList<FlowRequest> held, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return;
        }

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

        await Call(Db.ScriptEvaluateAsync(LuaScripts.FlowRelease, keys, args)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FlowRequest>> ExtendAsync(IReadOnlyList<FlowRequest> held, TimeSpan lease, CancellationToken cancellationToken)
    {
        if (held.Count == 0)
        {
            return [];
        }

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

        var lost = (RedisResult[])(await Call(Db.ScriptEvaluateAsync(LuaScripts.FlowExtend, keys, args)).ConfigureAwait(false))!;
        return lost.Length == 0 ? [] : [.. lost.Select(r => held[(int)r])];
    }

    public async Task<IReadOnlyCollection<string>> GetPausedAsync(CancellationToken cancellationToken)
    {
        var members = await Call(Db.SetMembersAsync(_keys.Paused)).ConfigureAwait(false);
        return [.. members.Select(m => (string)m!)];
    }

    public async Task<IAsyncDisposable> SubscribeAsync(Action<string> onChange, CancellationToken cancellationToken)
    {
        var subscriber = _connection.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, message) => onChange((string)message!);
        await Call(subscriber.SubscribeAsync(_keys.Channel, handler)).ConfigureAwait(false);
        return new Subscription(subscriber, _keys.Channel, handler);
    }

    public Task<bool> PauseAsync(string handler, CancellationToken cancellationToken) => SetPausedAsync(handler, true);

    public Task<bool> ResumeAsync(string handler, CancellationToken cancellationToken) => SetPausedAsync(handler, false);

    public async Task<IReadOnlyList<FlowState>> DescribeAsync(CancellationToken cancellationToken)
    {
        var limitsTask = Db.HashGetAllAsync(_keys.Limits);
        var pausedTask = Db.SetMembersAsync(_keys.Paused);
        var limits = await Call(limitsTask).ConfigureAwait(false);
        var paused = (await Call(pausedTask).ConfigureAwait(false)).Select(m => (string)m!).ToHashSet(StringComparer.Ordinal);
        var specs = new SortedDictionary<string, HandlerFlowSpec?>(StringComparer.Ordinal);
        foreach (var entry in limits)
        {
            specs[(string)entry.Name!] = FlowSpecText.Parse(entry.Value);
        }

        foreach (var name in paused)
        {
            specs.TryAdd(name, null);
        }

        if (specs.Count == 0)
        {
            return [];
        }

        var names = specs.Keys.ToArray();
        var keys = new RedisKey[names.Length * 2];
        var args = new RedisValue[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            keys[i * 2] = _keys.Slots(names[i]);
            keys[(i * 2) + 1] = _keys.Rate(names[i]);
            args[i] = specs[names[i]] is { RateLimit: > 0 } spec ? (long)spec.RateLimitWindow.TotalMilliseconds : 0;
        }

        var reply = (RedisResult[])(await Call(Db.ScriptEvaluateAsync(LuaScripts.FlowDescribe, keys, args)).ConfigureAwait(false))!;
        var states = new FlowState[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            states[i] = new FlowState(names[i], specs[names[i]], (long)reply[i * 2], (long)reply[(i * 2) + 1], paused.Contains(names[i]));
        }

        return states;
    }

    private async Task<bool> SetPausedAsync(string handler, bool paused)
    {
        TaskIds.ValidateHandler(handler);
        var result = await Call(Db.ScriptEvaluateAsync(
            LuaScripts.FlowPause,
            [_keys.Paused],
            [_keys.ChannelName, handler, paused ? "1" : "0"])).ConfigureAwait(false);
        return (int)result == 1;
    }

    private sealed class Subscription(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await subscriber.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // The connection is gone; the subscription went with it.
            }
        }
    }
}
