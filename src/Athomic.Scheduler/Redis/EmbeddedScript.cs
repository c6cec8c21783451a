using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// One embedded Lua script (<c>Redis/Scripts/{name}.lua</c>) and the one way it is called: the only code that sends a
/// script to Redis. A connection failure or a failover error becomes a <see cref="SchedulerUnavailableException"/>
/// (<see cref="RedisStoreCalls.IsUnavailable"/>), and a reply its reader cannot make sense of becomes a
/// <see cref="ScriptReplyException"/> that names the script and shows the reply.
/// </summary>
internal sealed class EmbeddedScript
{
    private EmbeddedScript(string name)
    {
        Name = name + ".lua";
        Text = LuaScripts.Load(name);
    }

    /// <summary>The script's file name, as errors show it (<c>claim.lua</c>).</summary>
    public string Name { get; }

    /// <summary>The script's text, includes expanded (StackExchange.Redis sends its SHA1 and loads it on <c>NOSCRIPT</c>).</summary>
    public string Text { get; }

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
            reply = await db.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisStoreCalls.IsUnavailable(ex))
        {
            throw RedisStoreCalls.Unavailable(ex);
        }

        return Read(reply, state, read);
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
