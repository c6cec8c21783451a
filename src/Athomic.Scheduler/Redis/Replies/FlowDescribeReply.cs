using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Flow;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>Reads the reply of <c>flow_describe.lua</c>: per handler, in order, <c>slots in use, starts in the rate window</c>.</summary>
internal static class FlowDescribeReply
{
    private const int Slots = 0, Starts = 1, PerHandler = 2;

    /// <param name="result">The reply.</param>
    /// <param name="handlers">The handlers asked about, in order: name, declared spec, whether paused.</param>
    public static FlowState[] Read(RedisResult result, IReadOnlyList<(string Name, HandlerFlowSpec? Spec, bool Paused)> handlers)
    {
        var reply = new FlatReply(result, 0, PerHandler);
        if (reply.Count != handlers.Count)
        {
            throw new FormatException($"{reply.Count} states for {handlers.Count} handlers");
        }

        var states = new FlowState[handlers.Count];
        for (var i = 0; i < states.Length; i++)
        {
            var (name, spec, paused) = handlers[i];
            states[i] = new FlowState(name, spec, Scalar.Count(reply[i, Slots]), Scalar.Count(reply[i, Starts]), paused);
        }

        return states;
    }
}
