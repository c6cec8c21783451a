using System.Text;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// A script replied with something its reader cannot read (another version of the script, or a bug): the message names
/// the script and shows the reply. A <see cref="RedisException"/>, so the loops that retry a failed Redis call retry
/// this one too, and log it.
/// </summary>
internal sealed class ScriptReplyException : RedisException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="script">The script's file name (<c>claim.lua</c>).</param>
    /// <param name="reply">The reply.</param>
    /// <param name="inner">What the reader found wrong.</param>
    public ScriptReplyException(string script, RedisResult reply, Exception inner)
        : base($"The reply of the Redis script {script} cannot be read ({inner.Message}); it was: {Describe(reply)}", inner)
    {
        Script = script;
    }

    /// <summary>The script's file name.</summary>
    public string Script { get; }

    /// <summary>A short rendering of a reply: its type and values, nested arrays in brackets, cut after 300 characters.</summary>
    internal static string Describe(RedisResult reply)
    {
        var text = new StringBuilder();
        Append(text, reply, depth: 0);
        return text.Length > 300 ? text.ToString(0, 300) + "…" : text.ToString();
    }

    private static void Append(StringBuilder text, RedisResult? reply, int depth)
    {
        if (text.Length > 300)
        {
            return;
        }

        if (reply is null || reply.IsNull)
        {
            text.Append("nil");
        }
        else if (reply.Resp2Type == ResultType.Array)
        {
            var items = (RedisResult[])reply!;
            text.Append('[');
            for (var i = 0; i < items.Length && text.Length <= 300; i++)
            {
                text.Append(i == 0 ? string.Empty : ", ");
                if (depth < 3)
                {
                    Append(text, items[i], depth + 1);
                }
                else
                {
                    text.Append('…');
                }
            }

            text.Append(']');
        }
        else if (reply.Resp2Type == ResultType.Integer)
        {
            text.Append(reply.ToString());
        }
        else
        {
            text.Append(reply.Resp2Type).Append(" \"").Append(reply.ToString()).Append('"');
        }
    }
}
