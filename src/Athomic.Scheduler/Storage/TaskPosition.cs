using System.Text;

namespace Athomic.Scheduler.Storage;

/// <summary>A place in a listing: the entry's time (due, lease deadline, or dead-letter time; Unix ms) and its id.</summary>
internal readonly record struct TaskPosition(long Score, string Id)
{
    /// <summary>
    /// Compares two positions in ascending (score, id) order, ids by their UTF-8 bytes: the order of a Redis sorted set
    /// (and of the in-memory store's listings), so the merge over partitions agrees with every partition.
    /// </summary>
    public static int Compare(TaskPosition x, TaskPosition y)
    {
        var byScore = x.Score.CompareTo(y.Score);
        return byScore != 0 ? byScore : CompareIds(x.Id, y.Id);
    }

    /// <summary>Compares two ids by their UTF-8 bytes.</summary>
    public static int CompareIds(string x, string y)
    {
        var byOrdinal = string.CompareOrdinal(x, y);
        if (byOrdinal == 0 || (IsBmpOnly(x) && IsBmpOnly(y)))
        {
            // Without surrogates, UTF-16 code unit order is code point order, which is UTF-8 byte order.
            return byOrdinal;
        }

        return Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y));
    }

    private static bool IsBmpOnly(string value)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
