using System.Security.Cryptography;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// One embedded Lua script (<c>Redis/Scripts/{name}.lua</c>) and the one way it is called: the only code that sends a
/// script to Redis. A connection failure or a failover error becomes a <see cref="SchedulerUnavailableException"/>
/// (<see cref="RedisStoreCalls.IsUnavailable"/>), and a reply its reader cannot make sense of becomes a
/// <see cref="ScriptReplyException"/> that names the script and shows the reply.
/// </summary>
/// <remarks>
/// A script goes as <c>EVALSHA</c> by a SHA1 computed once. StackExchange.Redis sends a script given as text by its
/// SHA1 too, but finds that SHA1 by hashing the whole text on every call (its script cache is keyed by the text), and
/// a claim's text is thousands of characters. A server that does not know the script (a new or restarted server, a
/// promoted replica, a flushed cache) answers <c>NOSCRIPT</c> without running anything: the call is then sent again as
/// text, which loads the script there.
/// </remarks>
internal sealed class EmbeddedScript
{
    // Whether a call of this script has succeeded in this process (see EvaluateAsync).
    private volatile bool _sent;

    private EmbeddedScript(string name)
    {
        Name = name + ".lua";
        Text = LuaScripts.Load(name);
#pragma warning disable CA5350 // SHA1 is how Redis names a script (EVALSHA), not a security measure.
        Sha1 = SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(Text));
#pragma warning restore CA5350
    }

    /// <summary>The script's file name, as errors show it (<c>claim.lua</c>).</summary>
    public string Name { get; }

    /// <summary>The script's text, includes expanded and comment lines left out: what a server without the script gets.</summary>
    public string Text { get; }

    /// <summary>The script's SHA1, as Redis names it (<c>EVALSHA</c>).</summary>
    public byte[] Sha1 { get; }

    /// <summary>Loads the embedded script <paramref name="name"/> (without <c>.lua</c>).</summary>
    public static EmbeddedScript Load(string name) => new(name);

    /// <summary>Runs the script and reads its reply with <paramref name="read"/>.</summary>
    /// <exception cref="SchedulerUnavailableException">Redis cannot be reached, or a failover is under way.</exception>
    /// <exception cref="ScriptReplyException">The reply is not what <paramref name="read"/> reads.</exception>
    public Task<T> RunAsync<T>(IDatabase db, RedisKey[] keys, RedisValue[] args, Func<RedisResult, T> read) =>
        RunAsync(db, keys, args, read, static (reply, read) => read(reply));

    /// <summary>Runs the script and reads its reply with <paramref name="read"/>, which also gets <paramref name="state"/>.</summary>
    /// <exception cref="SchedulerUnavailableException">Redis cannot be reached, or a failover is under way.</exception>
    /// <exception cref="ScriptReplyException">The reply is not what <paramref name="read"/> reads.</exception>
    public async Task<T> RunAsync<TState, T>(IDatabase db, RedisKey[] keys, RedisValue[] args, TState state, Func<RedisResult, TState, T> read)
    {
        RedisResult reply;
        try
        {
            reply = await EvaluateAsync(db, keys, args).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisStoreCalls.IsUnavailable(ex))
        {
            throw RedisStoreCalls.Unavailable(ex);
        }

        return Read(reply, state, read);
    }

    private async Task<RedisResult> EvaluateAsync(IDatabase db, RedisKey[] keys, RedisValue[] args)
    {
        if (!_sent)
        {
            // The first call of this process goes as text: it loads the script and runs it in one command, so the call
            // takes effect even when its reply is lost (a first lease renewal in a stall must still reach the server).
            var reply = await db.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
            _sent = true;
            return reply;
        }

        try
        {
            return await db.ScriptEvaluateAsync(Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // Nothing ran: this server does not know the script (restarted, promoted, flushed, another node). The text
            // loads it (and runs it) there.
            return await db.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
    }

    /// <summary>Reads <paramref name="reply"/> (a reply of this script) with <paramref name="read"/>.</summary>
    /// <exception cref="ScriptReplyException">The reply is not what <paramref name="read"/> reads.</exception>
    public T Read<TState, T>(RedisResult reply, TState state, Func<RedisResult, TState, T> read)
    {
        try
        {
            return read(reply, state);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or IndexOutOfRangeException or NullReferenceException or ArgumentException)
        {
            throw new ScriptReplyException(Name, reply, ex);
        }
    }
}
