using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash made for hash tables whose keys an adversary may choose:
/// without the key, colliding inputs cannot be found faster than by chance. The key here is random per process.
/// </summary>
internal static class SipHash
{
    private static readonly (ulong K0, ulong K1) ProcessKey = NewKey();

    /// <summary>The 64-bit SipHash-2-4 of <paramref name="data"/> under this process's random key.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data) => Hash(data, ProcessKey.K0, ProcessKey.K1);

    /// <summary>
    /// The 64-bit SipHash-2-4 of the 8 bytes of <paramref name="value"/> (little-endian) under this process's random
    /// key: <see cref="Hash(ReadOnlySpan{byte})"/> of those bytes, without the span.
    /// </summary>
    public static ulong Hash(ulong value)
    {
        var (k0, k1) = ProcessKey;
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;
        Compress(ref v0, ref v1, ref v2, ref v3, value);
        Compress(ref v0, ref v1, ref v2, ref v3, 8UL << 56); // the last block: no bytes left, the length 8
        return Finish(v0, v1, v2, v3);
    }

    /// <summary>The 64-bit SipHash-2-4 of <paramref name="data"/> under the key (<paramref name="k0"/>, <paramref name="k1"/>), both read little-endian.</summary>
    public static ulong Hash(ReadOnlySpan<byte> data, ulong k0, ulong k1)
    {
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;

        var whole = data.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            Compress(ref v0, ref v1, ref v2, ref v3, BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(i, 8)));
        }

        // The last block: the remaining bytes, and the input length (mod 256) in the top byte.
        var last = (ulong)data.Length << 56;
        var tail = data[whole..];
        for (var i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }

        Compress(ref v0, ref v1, ref v2, ref v3, last);
        return Finish(v0, v1, v2, v3);
    }

    /// <summary>One 8-byte block, two rounds (the "2" of SipHash-2-4).</summary>
    private static void Compress(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong m)
    {
        v3 ^= m;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= m;
    }

    /// <summary>Four finishing rounds (the "4").</summary>
    private static ulong Finish(ulong v0, ulong v1, ulong v2, ulong v3)
    {
        v2 ^= 0xff;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }

    private static (ulong, ulong) NewKey()
    {
        Span<byte> key = stackalloc byte[16];
        RandomNumberGenerator.Fill(key);
        return (BinaryPrimitives.ReadUInt64LittleEndian(key), BinaryPrimitives.ReadUInt64LittleEndian(key[8..]));
    }
}
