using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>extend.lua</c>: the fencing tokens of the claims that are no longer current (lost), in any
/// order; empty when every lease was extended.
/// </summary>
internal static class ExtendReply
{
    /// <summary>The claims of <paramref name="sent"/> (in their order) whose tokens the reply lists as lost.</summary>
    public static IReadOnlyList<TaskClaim> Read(RedisResult result, IReadOnlyCollection<TaskClaim> sent)
    {
        var tokens = Lists.Array(result);
        if (tokens.Length == 0)
        {
            return [];
        }

        var lostTokens = new HashSet<long>(tokens.Length);
        foreach (var token in tokens)
        {
            lostTokens.Add((long)token);
        }

        var lost = new List<TaskClaim>(tokens.Length);
        foreach (var claim in sent)
        {
            if (lostTokens.Contains(claim.Token))
            {
                lost.Add(claim);
            }
        }

        return lost;
    }
}
