using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>recurring_due.lua</c>: <c>{ now, next, then per schedule: id, definition, watermark, revision,
/// state, latest, trace context }</c>, where <c>now</c> is the server's time (ms), <c>next</c> the first index score after now (-1:
/// none), <c>state</c> that of the latest occurrence (the values of <see cref="RecurringOccurrenceState"/>) and
/// <c>latest</c> its task id ('' when none).
/// </summary>
internal static class RecurringDueReply
{
    private const int Now = 0, Next = 1, Header = 2;
    private const int Id = 0, Definition = 1, Watermark = 2, Revision = 3, State = 4, Latest = 5, TraceContext = 6, PerSchedule = 7;

    public static RecurringDueBatch Read(RedisResult result)
    {
        var reply = new FlatReply(result, Header, PerSchedule);
        var entries = new RecurringDueEntry[reply.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var latest = (string?)reply[i, Latest];
            entries[i] = new RecurringDueEntry(
                (string)reply[i, Id]!,
                (byte[])reply[i, Definition]!,
                (long)reply[i, Watermark],
                (long)reply[i, Revision],
                (RecurringOccurrenceState)(int)reply[i, State],
                string.IsNullOrEmpty(latest) ? null : latest)
            {
                TraceContext = (string?)reply[i, TraceContext] is { Length: > 0 } trace ? trace : null,
            };
        }

        var next = (long)reply[Next];
        return new RecurringDueBatch((long)reply[Now], entries, next < 0 ? null : next);
    }
}
