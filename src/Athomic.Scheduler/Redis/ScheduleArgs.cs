using Athomic.Scheduler.Extensibility;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis;

/// <summary>
/// The arguments of one <c>schedule.lua</c> call (<see cref="TaskScripts.ScheduleAsync"/>): the wake-up channel, the
/// policy for existing ids, then per task its id, kind (<c>d</c> relative, <c>a</c> absolute, then its priority when
/// above 0), due time and envelope.
/// </summary>
internal readonly struct ScheduleArgs
{
    private const int Header = 2, PerTask = 4;

    internal ScheduleArgs(int count, ExistingTaskPolicy policy, string wakeChannel)
    {
        Values = new RedisValue[Header + (count * PerTask)];
        Values[0] = wakeChannel;
        Values[1] = policy == ExistingTaskPolicy.Refuse ? "1" : "0";
    }

    /// <summary>The values sent.</summary>
    internal RedisValue[] Values { get; }

    /// <summary>Sets task <paramref name="index"/>; returns its envelope bytes.</summary>
    public long Set(int index, in StoreItem item)
    {
        var at = Header + (index * PerTask);
        Values[at] = item.TaskId;
        Values[at + 1] = item.Priority > 0
            ? (item.IsRelative ? "d" : "a") + item.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : item.IsRelative ? "d" : "a";
        Values[at + 2] = item.DueMilliseconds;
        Values[at + 3] = item.Envelope;
        return item.Envelope.Length;
    }
}
