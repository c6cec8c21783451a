using MessagePack;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// Rules shared by every decoder of bytes read from storage (envelopes, recurring definitions, dead-letter records):
/// nothing in them is trusted, nesting is bounded, and every way malformed bytes fail is one recognised exception
/// that the decoder maps to its documented one with a reason.
/// </summary>
internal static class StoredBytes
{
    /// <summary>
    /// Whether <paramref name="exception"/> is how reading malformed bytes fails: not MessagePack, cut short, an integer
    /// too large for its field, or a value out of the range of the type it is decoded into.
    /// </summary>
    public static bool IsMalformed(Exception exception) =>
        exception is MessagePackSerializationException or EndOfStreamException or OverflowException or ArgumentException or FormatException;

    /// <summary>
    /// Skips the next value, containers included, without recursion and refusing nesting deeper than
    /// <paramref name="maxDepth"/> containers.
    /// </summary>
    /// <param name="reader">The reader, positioned at the value.</param>
    /// <param name="maxDepth">How many containers deep the value may nest (an array of scalars is 1).</param>
    /// <exception cref="NestedTooDeepException">The value nests deeper than <paramref name="maxDepth"/>.</exception>
    /// <exception cref="MessagePackSerializationException">The value is not MessagePack.</exception>
    /// <exception cref="EndOfStreamException">The bytes end inside the value.</exception>
    public static void Skip(ref MessagePackReader reader, int maxDepth)
    {
        // remaining[d]: values still to skip in the container open at depth d (depth 0: the value itself).
        Span<long> remaining = stackalloc long[maxDepth + 1];
        remaining[0] = 1;
        var depth = 0;
        while (true)
        {
            while (remaining[depth] == 0)
            {
                if (depth == 0)
                {
                    return;
                }

                depth--;
            }

            remaining[depth]--;
            long children;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    children = reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    children = 2L * reader.ReadMapHeader();
                    break;
                default:
                    reader.Skip(); // a scalar: nothing nested in it
                    continue;
            }

            if (children == 0)
            {
                continue;
            }

            if (depth == maxDepth)
            {
                throw new NestedTooDeepException(maxDepth);
            }

            remaining[++depth] = children;
        }
    }
}

/// <summary>
/// A value nests deeper than a reader allows (<see cref="StoredBytes.Skip"/>): the bytes may be valid MessagePack, but
/// this reader does not go that deep.
/// </summary>
internal sealed class NestedTooDeepException(int maxDepth)
    : MessagePackSerializationException($"A value is nested deeper than {maxDepth} levels.")
{
    /// <summary>How many containers deep a value may nest.</summary>
    public int MaxDepth { get; } = maxDepth;
}
