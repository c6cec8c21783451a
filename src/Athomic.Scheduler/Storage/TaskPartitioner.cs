using System.Text;

namespace Athomic.Scheduler.Storage;

/// <summary>
/// Routes a task id to its partition: 32-bit FNV-1a over the UTF-8 bytes of the id's routing key, modulo the
/// partition count. The routing key is the id itself, except for an id of the form <c>name@digits</c> (a recurring
/// occurrence, <see cref="Recurring.RecurringTaskIds.For"/>): its key is <c>name</c>, so a recurring schedule and all its
/// occurrences live in one partition and its claim can add the next occurrence atomically.
/// </summary>
/// <remarks>
/// The function is part of the data format and fixed forever: every process of every version must route an id to
/// the same partition, or cancel, reschedule and get would look in the wrong place. It is not
/// <see cref="string.GetHashCode()"/> (randomized per process). Changing the partition count moves ids; see the
/// README's partition section.
/// </remarks>
internal static class TaskPartitioner
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    /// <summary>The partition of <paramref name="taskId"/> among <paramref name="partitions"/>.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="partitions">The partition count (at least 1).</param>
    /// <returns>A partition index in <c>[0, partitions)</c>.</returns>
    public static int PartitionOf(string taskId, int partitions)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        if (partitions == 1)
        {
            return 0;
        }

        return (int)(Hash(taskId.AsSpan(0, RoutingKeyLength(taskId))) % (uint)partitions);
    }

    /// <summary>The part of <paramref name="taskId"/> that routes it: <c>name</c> for <c>name@digits</c>, else the id.</summary>
    /// <param name="taskId">The task id.</param>
    /// <returns>The routing key.</returns>
    public static string RoutingKey(string taskId)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        var length = RoutingKeyLength(taskId);
        return length == taskId.Length ? taskId : taskId[..length];
    }

    private static int RoutingKeyLength(string taskId)
    {
        var at = taskId.LastIndexOf('@');
        if (at <= 0 || at == taskId.Length - 1)
        {
            return taskId.Length;
        }

        for (var i = at + 1; i < taskId.Length; i++)
        {
            if (!char.IsAsciiDigit(taskId[i]))
            {
                return taskId.Length;
            }
        }

        return at;
    }

    /// <summary>32-bit FNV-1a of the UTF-8 bytes of <paramref name="value"/>.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The hash.</returns>
    public static uint Hash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Hash(value.AsSpan());
    }

    private static uint Hash(ReadOnlySpan<char> value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var buffer = max <= 512 ? stackalloc byte[max] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
        var length = Encoding.UTF8.GetBytes(value, buffer);
        var hash = OffsetBasis;
        foreach (var b in buffer[..length])
        {
            hash = (hash ^ b) * Prime;
        }

        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    /// <summary>
    /// The character between a key prefix and a partition number in a partition's hash tag (<c>{prefix#3}</c>). A key
    /// prefix may not contain it (checked at start-up), so every tag names one (prefix, partition) pair: with <c>:</c>,
    /// partition 1 of prefix <c>a</c> and partition 0 of prefix <c>a:1</c> were the same tag <c>{a:1}</c>.
    /// </summary>
    public const char PartitionSeparator = '#';

    /// <summary>The key prefix of partition <paramref name="index"/>: <paramref name="keyPrefix"/> for partition 0
    /// (the single-partition layout, unchanged), <c>keyPrefix#index</c> for the others (see <see cref="PartitionSeparator"/>).</summary>
    /// <param name="keyPrefix">The scheduler's key prefix; must not contain <see cref="PartitionSeparator"/>.</param>
    /// <param name="index">The partition index (0 or more).</param>
    /// <returns>The partition's key prefix; its keys share the hash tag <c>{prefix}</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyPrefix"/> contains <see cref="PartitionSeparator"/>.</exception>
    public static string PartitionPrefix(string keyPrefix, int index)
    {
        ArgumentNullException.ThrowIfNull(keyPrefix);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (keyPrefix.Contains(PartitionSeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The key prefix '{keyPrefix}' contains '{PartitionSeparator}', which separates the partition number in partition hash tags.", nameof(keyPrefix));
        }

        return index == 0 ? keyPrefix : keyPrefix + PartitionSeparator + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
