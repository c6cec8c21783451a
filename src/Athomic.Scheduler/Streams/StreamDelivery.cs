using Athomic.Scheduler.Serialization;
using StackExchange.Redis;

namespace Athomic.Scheduler.Streams;

/// <summary>One stream entry delivered to this consumer, as stored: nothing in it is trusted yet.</summary>
/// <param name="EntryId">The stream entry id.</param>
/// <param name="TaskId">The task id of the entry, or <c>stream-{EntryId}</c> when it has no valid one.</param>
/// <param name="Envelope">The envelope bytes (empty when missing).</param>
/// <param name="DueMilliseconds">The due time the task had, in Unix milliseconds (0 when unknown).</param>
/// <param name="Problem">Why the entry cannot run whatever its envelope says, or <see langword="null"/>.</param>
/// <param name="Fields">The raw fields and values, to hand the entry back unchanged.</param>
internal sealed record StreamDelivery(string EntryId, string TaskId, ReadOnlyMemory<byte> Envelope, long DueMilliseconds, string? Problem, RedisValue[] Fields)
{
    /// <summary>The partition whose stream holds the entry: every end of the entry acts on that stream.</summary>
    public int Partition { get; init; }

    /// <summary>
    /// Names the entry within the broker: the partition and the entry id (entry ids are unique per stream only).
    /// Used as the lease receipt and as the key of the running entries.
    /// </summary>
    public string Receipt => ReceiptOf(Partition, EntryId);

    /// <summary>The <see cref="Receipt"/> of entry <paramref name="entryId"/> in partition <paramref name="partition"/>.</summary>
    public static string ReceiptOf(int partition, string entryId) =>
        partition.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + entryId;

    /// <summary>Splits a <see cref="Receipt"/> into its partition and entry id.</summary>
    public static (int Partition, string EntryId) ParseReceipt(string receipt)
    {
        var slash = receipt.IndexOf('/', StringComparison.Ordinal);
        return (int.Parse(receipt.AsSpan(0, slash), System.Globalization.CultureInfo.InvariantCulture), receipt[(slash + 1)..]);
    }

    /// <summary>Reads an entry's fields: <c>t</c> task id, <c>e</c> envelope, <c>d</c> due time.</summary>
    public static StreamDelivery Parse(string entryId, RedisValue[] fields, int partition = 0)
    {
        RedisValue t = RedisValue.Null, e = RedisValue.Null, d = RedisValue.Null;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "t": t = fields[i + 1]; break;
                case "e": e = fields[i + 1]; break;
                case "d": d = fields[i + 1]; break;
            }
        }

        var taskId = (string?)t;
        string? problem = null;
        if (!TaskIds.IsValid(taskId))
        {
            problem = t.IsNull ? "The stream entry has no task id." : "The stream entry's task id is invalid.";
            taskId = "stream-" + entryId;
        }

        // Anything but a time a DateTimeOffset can hold (garbage, NaN, ±infinity, past year 9999) is an unknown due time.
        var due = d.TryParse(out long ms) ? ms : d.TryParse(out double dms) && double.IsFinite(dms) && Math.Abs(dms) <= UnixTime.MaxMilliseconds ? (long)dms : 0;
        if (due < 0 || due > UnixTime.MaxMilliseconds)
        {
            due = 0;
        }

        return new StreamDelivery(entryId, taskId!, e.IsNull ? ReadOnlyMemory<byte>.Empty : (byte[])e!, due, problem, fields) { Partition = partition };
    }
}
