using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Athomic.Scheduler;

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
/// <c>DateTimeOffset</c>, <c>TimeSpan</c>, <c>TimeOnly</c>, <c>Int128</c>, <c>UInt128</c>, 64-bit enums): SipHash-2-4 of the
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

        var comparer =
            typeof(T) == typeof(long) ? (object)new SipComparer<long>(static v => v) :
            typeof(T) == typeof(ulong) ? new SipComparer<ulong>(static v => (long)v) :
            typeof(T).IsEnum && Unsafe.SizeOf<T>() == sizeof(long) ? new SipComparer<T>(static v => Unsafe.As<T, long>(ref v)) :
            typeof(T) == typeof(double) ? new SipComparer<double>(static v => BitConverter.DoubleToInt64Bits(Canonical(v))) :
            typeof(T) == typeof(float) ? new SipComparer<float>(static v => BitConverter.DoubleToInt64Bits(Canonical(v))) :
            typeof(T) == typeof(DateTime) ? new SipComparer<DateTime>(static v => v.Ticks) : // DateTime equality ignores Kind
            typeof(T) == typeof(DateTimeOffset) ? new SipComparer<DateTimeOffset>(static v => v.UtcTicks) : // the instant, not the offset
            typeof(T) == typeof(TimeSpan) ? new SipComparer<TimeSpan>(static v => v.Ticks) :
            typeof(T) == typeof(TimeOnly) ? new SipComparer<TimeOnly>(static v => v.Ticks) :
            typeof(T) == typeof(Guid) ? new WideSipComparer<Guid>(static (v, bytes) => v.TryWriteBytes(bytes)) :
            typeof(T) == typeof(Int128) ? new WideSipComparer<Int128>(static (v, bytes) => BinaryPrimitives.WriteInt128LittleEndian(bytes, v)) :
            typeof(T) == typeof(UInt128) ? new WideSipComparer<UInt128>(static (v, bytes) => BinaryPrimitives.WriteUInt128LittleEndian(bytes, v)) :
            (object?)null;
        return (IEqualityComparer<T>?)comparer;
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
    private sealed class SipComparer<T>(Func<T, long> bits) : IEqualityComparer<T>
    {
        public bool Equals(T? x, T? y) => EqualityComparer<T>.Default.Equals(x, y);

        public int GetHashCode(T value)
        {
            Span<byte> bytes = stackalloc byte[sizeof(long)];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, bits(value));
            return Fold(SipHash.Hash(bytes));
        }
    }

    /// <summary>Keys whose equality is decided by 128 bits: SipHash of those bits.</summary>
    private sealed class WideSipComparer<T>(WideSipComparer<T>.Write write) : IEqualityComparer<T>
    {
        public delegate void Write(T value, Span<byte> bytes);

        public bool Equals(T? x, T? y) => EqualityComparer<T>.Default.Equals(x, y);

        public int GetHashCode(T value)
        {
            Span<byte> bytes = stackalloc byte[16];
            write(value, bytes);
            return Fold(SipHash.Hash(bytes));
        }
    }
}
