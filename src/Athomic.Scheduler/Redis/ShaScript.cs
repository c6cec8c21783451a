using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// A script of the hot path (the claim, the ack) sent as <c>EVALSHA</c> by a SHA1 computed once. StackExchange.Redis
/// sends a script given as text by its SHA1 too, but finds that SHA1 by hashing the whole text on every call (its script
/// cache is keyed by the text), and a claim's text is thousands of characters. A server that does not know the script
/// (a new or restarted server, a promoted replica) answers <c>NOSCRIPT</c> without running anything: the call is then
/// sent again as text, which loads the script there.
/// </summary>
/// <param name="text">The script's text, as <see cref="LuaScripts"/> loaded it.</param>
internal sealed class ShaScript(string text)
{
    /// <summary>The script's text.</summary>
    public string Text { get; } = text;

#pragma warning disable CA5350 // SHA1 is how Redis names a script (EVALSHA), not a security measure.
    /// <summary>The script's SHA1, as Redis names it.</summary>
    public byte[] Sha1 { get; } = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350

    /// <summary>Runs the script on <paramref name="db"/>.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabase db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(Sha1, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
    }
}
