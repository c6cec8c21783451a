using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// A script reply laid out flat: <see cref="HeaderLength"/> header fields, then records of <see cref="Width"/> fields
/// each. The reply readers name the positions; this view does the arithmetic once.
/// </summary>
internal readonly struct FlatReply
{
    private readonly RedisResult[] _parts;

    public FlatReply(RedisResult result, int headerLength, int width)
    {
        _parts = Lists.Array(result);
        if (_parts.Length < headerLength)
        {
            throw new FormatException($"{_parts.Length} fields, fewer than the {headerLength} of the header");
        }

        HeaderLength = headerLength;
        Width = width;
    }

    /// <summary>How many header fields come before the records.</summary>
    public int HeaderLength { get; }

    /// <summary>How many fields each record has.</summary>
    public int Width { get; }

    /// <summary>How many whole records the reply holds (a trailing partial record is ignored).</summary>
    public int Count => Math.Max(0, (_parts.Length - HeaderLength) / Width);

    /// <summary>Header field <paramref name="field"/>.</summary>
    public RedisResult this[int field] => _parts[field];

    /// <summary>Field <paramref name="field"/> of record <paramref name="record"/> (from 0).</summary>
    public RedisResult this[int record, int field] => _parts[HeaderLength + (record * Width) + field];
}
