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
    private readonly FlowScripts _scripts;

    public RedisFlowStore(IConnectionMultiplexer connection, string keyPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _keys = new FlowKeys(keyPrefix);
        _scripts = new FlowScripts(connection, _keys);
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

    public Task<FlowGrant[]> AcquireAsync(IReadOnlyList<FlowRequest> requests, TimeSpan lease, CancellationToken cancellationToken) =>
        requests.Count == 0 ? Task.FromResult<FlowGrant[]>([]) : _scripts.AcquireAsync(requests, lease);

    public Task ReleaseAsync(IReadOnlyList<FlowRequest> held, CancellationToken cancellationToken) =>
        held.Count == 0 ? Task.CompletedTask : _scripts.ReleaseAsync(held);

    public Task<IReadOnlyList<FlowRequest>> ExtendAsync(IReadOnlyList<FlowRequest> held, TimeSpan lease, CancellationToken cancellationToken) =>
        held.Count == 0 ? Task.FromResult<IReadOnlyList<FlowRequest>>([]) : _scripts.ExtendAsync(held, lease);

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

        return await _scripts.DescribeAsync([.. specs.Select(s => (s.Key, s.Value, paused.Contains(s.Key)))]).ConfigureAwait(false);
    }

    private async Task<bool> SetPausedAsync(string handler, bool paused)
    {
        TaskIds.ValidateHandler(handler);
        return await _scripts.PauseAsync(handler, paused).ConfigureAwait(false);
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
