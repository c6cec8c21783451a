using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>Reads the reply of <c>flow_extend.lua</c>: the positions (from 0) of the slots sent that are no longer held.</summary>
internal static class FlowExtendReply
{
    /// <summary>The items of <paramref name="sent"/> whose positions the reply lists.</summary>
    public static IReadOnlyList<T> Read<T>(RedisResult result, IReadOnlyList<T> sent)
    {
        var positions = Lists.Array(result);
        if (positions.Length == 0)
        {
            return [];
        }

        var lost = new T[positions.Length];
        for (var i = 0; i < lost.Length; i++)
        {
            var position = Scalar.Integer(positions[i]);
            lost[i] = position >= 0 && position < sent.Count ? sent[(int)position] : throw new FormatException($"{position} is not the position of a slot sent");
        }

        return lost;
    }
}
