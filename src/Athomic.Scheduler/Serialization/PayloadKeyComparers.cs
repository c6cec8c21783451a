using System.Runtime.CompilerServices;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// The key comparers of the dictionaries and sets that generated formatters decode (<see cref="ScheduledPayload.KeyComparer{T}"/>):
/// payload bytes come from storage and their keys may have been chosen by whoever fed a producer, so a key type
/// whose hash an attacker can steer gets a hash they cannot predict, as under MessagePack's <c>UntrustedData</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Keys of 32 bits or fewer (<c>bool</c>, <c>char</c>, the small integers, <c>DateOnly</c>, enums of up
/// to 32 bits): <see cref="HashCode"/>, seeded at random per process; distinct keys keep distinct hashes, and which
/// of them share a bucket cannot be predicted.</description></item>
/// <item><description>Wider keys (<c>long</c>, <c>ulong</c>, <c>float</c>, <c>double</c>, <c>Guid</c>, <c>DateTime</c>,
/// <c>DateTimeOffset</c>, <c>TimeSpan</c>, <c>TimeOnly</c>, <c>Int128</c>, <c>UInt128</c>, <c>decimal</c>, 64-bit enums): SipHash-2-4 of the
/// bytes that decide equality, under a random per-process key, so no folding to 32 bits happens before the keyed
/// hash (<c>long.GetHashCode</c> makes every <c>(x &lt;&lt; 32) | x</c> hash to 0).</description></item>
/// <item><description><c>string</c>: <see langword="null"/>, .NET's default, which switches to randomized hashing
/// as soon as collisions grow.</description></item>
/// <item><description>Anything else: <see langword="null"/>, the default comparer (MessagePack refused such keys in
/// untrusted data; here they decode).</description></item>
/// </list>
/// </remarks>
internal static class PayloadKeyComparers
{
    /// <summary>The comparer for keys of type <typeparamref name="T"/>, or <see langword="null"/> for the default.</summary>
    public static IEqualityComparer<T>? For<T>() => Cache<T>.Instance;

    private static IEqualityComparer<T>? Create<T>()
    {
        if (typeof(T) == typeof(bool) || typeof(T) == typeof(char) || typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) ||
            typeof(T) == typeof(short) || typeof(T) == typeof(ushort) || typeof(T) == typeof(int) || typeof(T) == typeof(uint) ||
            typeof(T) == typeof(DateOnly) || (typeof(T).IsEnum && Unsafe.SizeOf<T>() <= sizeof(int)))
        {
            return new SeededComparer<T>();
        }

        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong) || typeof(T) == typeof(double) || typeof(T) == typeof(float) ||
            typeof(T) == typeof(DateTime) || typeof(T) == typeof(DateTimeOffset) || typeof(T) == typeof(TimeSpan) ||
            typeof(T) == typeof(TimeOnly) || (typeof(T).IsEnum && Unsafe.SizeOf<T>() == sizeof(long)))
        {
            return new SipComparer<T>();
        }

        if (typeof(T) == typeof(Guid) || typeof(T) == typeof(Int128) || typeof(T) == typeof(UInt128) || typeof(T) == typeof(decimal))
        {
            return new WideSipComparer<T>();
        }

        return null;
    }

    /// <summary>
    /// The 64 bits that decide equality of a key <see cref="SipComparer{T}"/> takes (the type tests fold away in each
    /// value-type instantiation).
    /// </summary>
    private static long Bits<T>(T value) =>
        typeof(T) == typeof(double) ? BitConverter.DoubleToInt64Bits(Canonical(Unsafe.As<T, double>(ref value))) :
        typeof(T) == typeof(float) ? BitConverter.DoubleToInt64Bits(Canonical(Unsafe.As<T, float>(ref value))) :
        typeof(T) == typeof(DateTime) ? Unsafe.As<T, DateTime>(ref value).Ticks : // DateTime equality ignores Kind
        typeof(T) == typeof(DateTimeOffset) ? Unsafe.As<T, DateTimeOffset>(ref value).UtcTicks : // the instant, not the offset
        typeof(T) == typeof(TimeSpan) ? Unsafe.As<T, TimeSpan>(ref value).Ticks :
        typeof(T) == typeof(TimeOnly) ? Unsafe.As<T, TimeOnly>(ref value).Ticks :
        Unsafe.As<T, long>(ref value); // long, ulong, 64-bit enums: their own bits

    /// <summary>The 128 bits that decide equality of a key <see cref="WideSipComparer{T}"/> takes.</summary>
    private static void WideBits<T>(T value, Span<byte> bytes)
    {
        if (typeof(T) == typeof(Guid))
        {
            Unsafe.As<T, Guid>(ref value).TryWriteBytes(bytes);
        }
        else if (typeof(T) == typeof(decimal))
        {
            Canonical(Unsafe.As<T, decimal>(ref value), bytes);
        }
        else
        {
            Unsafe.WriteUnaligned(ref bytes[0], value); // Int128, UInt128: their own bits
        }
    }

    /// <summary>
    /// One representation for the values <c>decimal.Equals</c> calls equal (<c>1.0m</c> and <c>1.00m</c>, <c>0m</c> and
    /// <c>-0m</c>): the 96-bit magnitude without trailing decimal zeros, then the scale and the sign.
    /// </summary>
    private static void Canonical(decimal value, Span<byte> bytes)
    {
        Span<int> parts = stackalloc int[4];
        decimal.GetBits(value, parts);
        var magnitude = ((UInt128)(uint)parts[2] << 64) | ((UInt128)(uint)parts[1] << 32) | (uint)parts[0];
        var scale = (byte)(parts[3] >> 16);
        var negative = parts[3] < 0 && magnitude != 0;
        while (scale > 0 && magnitude % 10 == 0)
        {
            magnitude /= 10;
            scale--;
        }

        if (magnitude == 0)
        {
            scale = 0;
        }

        // 96 bits of magnitude in bytes 0-11, the scale and the sign after them.
        Unsafe.WriteUnaligned(ref bytes[0], (ulong)magnitude);
        Unsafe.WriteUnaligned(ref bytes[8], (uint)(magnitude >> 64));
        bytes[12] = scale;
        bytes[13] = negative ? (byte)1 : (byte)0;
        bytes[14] = 0;
        bytes[15] = 0;
    }

    /// <summary>One value for the values <c>double.Equals</c> calls equal: 0 for −0, one NaN for every NaN.</summary>
    private static double Canonical(double value) => value == 0 ? 0 : double.IsNaN(value) ? double.NaN : value;

    private static int Fold(ulong hash) => (int)hash ^ (int)(hash >> 32);

    private static class Cache<T>
    {
        public static readonly IEqualityComparer<T>? Instance = Create<T>();
    }

    /// <summary>Keys of at most 32 bits: their own hash code (the value itself) mixed with the process's random seed.</summary>
    private sealed class SeededComparer<T> : IEqualityComparer<T>
    {
        public bool Equals(T? x, T? y) => EqualityComparer<T>.Default.Equals(x, y);

        public int GetHashCode(T value) => HashCode.Combine(value);
    }

    /// <summary>Keys whose equality is decided by 64 bits: SipHash of those bits.</summary>
    private sealed class SipComparer<T> : IEqualityComparer<T>
    {
        public bool Equals(T? x, T? y) => EqualityComparer<T>.Default.Equals(x, y);

        public int GetHashCode(T value) => Fold(SipHash.Hash((ulong)Bits(value)));
    }

    /// <summary>Keys whose equality is decided by 128 bits: SipHash of those bits.</summary>
    private sealed class WideSipComparer<T> : IEqualityComparer<T>
    {
        public bool Equals(T? x, T? y) => EqualityComparer<T>.Default.Equals(x, y);

        public int GetHashCode(T value)
        {
            Span<byte> bytes = stackalloc byte[16];
            WideBits(value, bytes);
            return Fold(SipHash.Hash(bytes));
        }
    }
}
