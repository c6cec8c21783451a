using Athomic.Scheduler.Storage;
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
    private const int Now = 0;
    private const int Next = 1;
    private const int Header = 2;

    private const int Id = 0;
    private const int Definition = 1;
    private const int Watermark = 2;
    private const int Revision = 3;
    private const int State = 4;
    private const int Latest = 5;
    private const int TraceContext = 6;
    private const int PerSchedule = 7;

    public static RecurringDueBatch Read(RedisResult result)
    {
        var parts = (RedisResult[])result!;
        var entries = new RecurringDueEntry[(parts.Length - Header) / PerSchedule];
        for (var i = 0; i < entries.Length; i++)
        {
            var p = Header + (i * PerSchedule);
            var latest = (string?)parts[p + Latest];
            entries[i] = new RecurringDueEntry(
                (string)parts[p + Id]!,
                (byte[])parts[p + Definition]!,
                (long)parts[p + Watermark],
                (long)parts[p + Revision],
                (RecurringOccurrenceState)(int)parts[p + State],
                string.IsNullOrEmpty(latest) ? null : latest)
            {
                TraceContext = (string?)parts[p + TraceContext] is { Length: > 0 } trace ? trace : null,
            };
        }

        var next = (long)parts[Next];
        return new RecurringDueBatch((long)parts[Now], entries, next < 0 ? null : next);
    }
}
