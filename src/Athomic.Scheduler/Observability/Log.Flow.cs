using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Observability;

/// <summary>The log messages of flow control (event ids 300 and up).</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Information, "Flow control is on for {Count} handlers; {Paused} handlers are paused.")]
    public static partial void FlowStarted(ILogger logger, int count, int paused);

    [LoggerMessage(301, LogLevel.Debug, "{Count} due tasks of handler {Handler} wait: {Reason}.")]
    public static partial void FlowHeldBack(ILogger logger, int count, string handler, string reason);

    [LoggerMessage(302, LogLevel.Warning, "Freeing {Count} flow-control slots failed; they come back when their leases expire.")]
    public static partial void FlowReleaseFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(303, LogLevel.Warning, "Renewing {Count} flow-control slots failed; retrying.")]
    public static partial void FlowExtendFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(304, LogLevel.Warning, "Subscribing to flow-control notifications failed; waiting tasks are looked at every {Period} instead.")]
    public static partial void FlowSubscribeFailed(ILogger logger, TimeSpan period, Exception exception);

    [LoggerMessage(305, LogLevel.Warning, "The concurrency key of task {TaskId} (handler {Handler}) cannot be read; it runs under the handler's other limits only, and its handler will report the payload.")]
    public static partial void FlowKeyUnreadable(ILogger logger, string taskId, string handler, Exception exception);

    [LoggerMessage(306, LogLevel.Warning, "The handlers {Handlers} declare concurrency or rate limits, which the configured store cannot enforce: they run without them. Flow control needs the Redis store (UseRedis, or Garnet).")]
    public static partial void FlowNotEnforced(ILogger logger, string handlers);

    [LoggerMessage(307, LogLevel.Warning, "{Count} flow-control slots held by this process lapsed (their renewals did not reach the store in time) and another run may hold their room now: their runs are cancelled, and their tasks run again under new slots.")]
    public static partial void FlowSlotsLost(ILogger logger, int count);
}
