using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// How many replicas confirm an acknowledged write (see <see cref="SchedulerDurabilityOptions"/>): one Redis
/// <c>WAIT</c> after the write, on the connection that sent it and routed to the write's hash slot.
/// </summary>
/// <param name="Replicas">How many replicas must confirm; 0 sends no <c>WAIT</c>.</param>
/// <param name="Timeout">How long <c>WAIT</c> blocks at most.</param>
internal sealed record WriteConcern(int Replicas, TimeSpan Timeout)
{
    /// <summary>No replica confirmation: a write is acknowledged once the master applied it.</summary>
    public static WriteConcern None { get; } = new(0, TimeSpan.FromSeconds(1));

    /// <summary>Whether a <c>WAIT</c> follows each acknowledged write.</summary>
    public bool IsSet => Replicas > 0;

    /// <summary>
    /// Waits until <see cref="Replicas"/> replicas have every write this connection sent to the node of
    /// <paramref name="slotKey"/> so far (so also the caller's, which was answered before); throws
    /// <see cref="SchedulerReplicationException"/> when fewer confirm in time.
    /// </summary>
    /// <param name="connection">The connection the write went over.</param>
    /// <param name="slotKey">A key of the write's hash tag, which routes <c>WAIT</c> to the node that took the write.</param>
    public async Task ConfirmAsync(IConnectionMultiplexer connection, RedisKey slotKey)
    {
        if (!IsSet)
        {
            return;
        }

        var confirmed = (long)await RedisStoreCalls.Call(WaitAsync(connection, slotKey)).ConfigureAwait(false);
        if (confirmed < Replicas)
        {
            throw new SchedulerReplicationException(Replicas, (int)confirmed, Timeout);
        }
    }

    /// <summary>Sends <c>WAIT</c>; finding the server may fail too (no master known during a failover), as the task's fault.</summary>
    private async Task<RedisResult> WaitAsync(IConnectionMultiplexer connection, RedisKey slotKey)
    {
        // WAIT counts the replicas that acknowledged this client connection's writes so far: it must go over the
        // same connection, to the master that owns the key's slot (not to a replica, and in a cluster not elsewhere).
        IServer server;
        try
        {
            server = connection.GetServer(slotKey, flags: CommandFlags.DemandMaster);
        }
        catch (InvalidOperationException ex)
        {
            // No master is known for the slot: a failover is under way. The write may or may not have reached a replica.
            throw new SchedulerUnavailableException("The Redis schedule store is unavailable: no master to confirm the write with WAIT (" + ex.Message + ").", ex);
        }

        return await server.ExecuteAsync("WAIT", Replicas, (long)Timeout.TotalMilliseconds).ConfigureAwait(false);
    }
}
