using System.Buffers.Binary;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Tests.Payloads;

/// <summary>
/// The key comparers of decoded dictionaries and sets (<see cref="ScheduledPayload.KeyComparer{T}"/>): keys chosen to
/// collide under .NET's default hash codes spread out, equal keys hash equal, and SipHash-2-4 matches its reference.
/// </summary>
public sealed class PayloadKeyComparerTests
{
    private const int Keys = 10_000;

    [Fact]
    public void SipHash_2_4_matches_the_reference_vectors()
    {
        // The paper's key 00 01 … 0f; messages 00 01 … (n-1). Appendix A works the 15-byte example through.
        const ulong k0 = 0x0706050403020100UL, k1 = 0x0f0e0d0c0b0a0908UL;
        byte[] Message(int n) => Enumerable.Range(0, n).Select(i => (byte)i).ToArray();

        Assert.Equal(0x726fdb47dd0e0e31UL, SipHash.Hash(Message(0), k0, k1));
        Assert.Equal(0x74f839c593dc67fdUL, SipHash.Hash(Message(1), k0, k1));
        Assert.Equal(0xa129ca6149be45e5UL, SipHash.Hash(Message(15), k0, k1));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(0x0706050403020100UL)]
    [InlineData(ulong.MaxValue)]
    public void The_8_byte_shortcut_hashes_as_the_span_form_of_the_same_bytes(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);

        Assert.Equal(SipHash.Hash(bytes), SipHash.Hash(value));
    }

    [Fact]
    public void Long_keys_that_all_hash_to_zero_by_default_get_distinct_hashes()
    {
        // long.GetHashCode folds the halves with XOR, so every (x << 32) | x hashes to 0: a dictionary of them is a list.
        var keys = Enumerable.Range(1, Keys).Select(x => ((long)x << 32) | (uint)x).ToList();
        Assert.Single(keys.Select(k => k.GetHashCode()).Distinct());

        var comparer = ScheduledPayload.KeyComparer<long>()!;

        Assert.InRange(keys.Select(comparer.GetHashCode).Distinct().Count(), Keys - 5, Keys); // ~0.01 collisions expected by chance
    }

    [Fact]
    public void Guid_and_date_keys_built_to_collide_by_default_get_distinct_hashes()
    {
        // Guid.GetHashCode XORs its four ints, DateTime's folds its ticks: both collide on purpose-built keys.
        var guids = Enumerable.Range(1, Keys).Select(x =>
        {
            var bytes = new byte[16];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, x);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), x);
            return new Guid(bytes);
        }).ToList();
        var times = Enumerable.Range(1, Keys).Select(x => new DateTime(((long)x << 32) | (uint)x)).ToList();
        Assert.True(guids.Select(g => g.GetHashCode()).Distinct().Count() < 10);
        Assert.True(times.Select(t => t.GetHashCode()).Distinct().Count() < 10);

        Assert.InRange(guids.Select(ScheduledPayload.KeyComparer<Guid>()!.GetHashCode).Distinct().Count(), Keys - 5, Keys);
        Assert.InRange(times.Select(ScheduledPayload.KeyComparer<DateTime>()!.GetHashCode).Distinct().Count(), Keys - 5, Keys);
    }

    [Fact]
    public void Decimal_keys_that_collide_by_default_get_distinct_hashes()
    {
        // decimal.GetHashCode folds its 32-bit parts with XOR: equal low and middle parts cancel out.
        var keys = Enumerable.Range(1, Keys).Select(x => new decimal(x, x, 0, false, 0)).ToList();
        Assert.True(keys.Select(k => k.GetHashCode()).Distinct().Count() < 10);

        Assert.InRange(keys.Select(ScheduledPayload.KeyComparer<decimal>()!.GetHashCode).Distinct().Count(), Keys - 5, Keys);
    }

    [Fact]
    public void Small_keys_keep_distinct_hashes_and_the_hash_is_seeded()
    {
        var comparer = ScheduledPayload.KeyComparer<int>()!;
        var hashes = Enumerable.Range(0, Keys).Select(comparer.GetHashCode).ToList();

        Assert.Equal(Keys, hashes.Distinct().Count()); // a bijection on 32 bits: no two keys share a hash
        Assert.NotEqual(Enumerable.Range(0, Keys), hashes); // not the identity that int.GetHashCode is
    }

    [Fact]
    public void Keys_that_are_equal_hash_equal()
    {
        AssertEqualKeys(0.0, -0.0);
        AssertEqualKeys(double.NaN, BitConverter.Int64BitsToDouble(0x7ff8_0000_0000_0001));
        AssertEqualKeys(0f, -0f);
        AssertEqualKeys(float.NaN, BitConverter.Int32BitsToSingle(0x7fc0_0001));
        AssertEqualKeys(new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Local)); // Kind is not compared
        AssertEqualKeys(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 14, 0, 0, TimeSpan.FromHours(2)));
        AssertEqualKeys(TimeSpan.FromTicks(42), TimeSpan.FromTicks(42));
        AssertEqualKeys(ulong.MaxValue, ulong.MaxValue);
        AssertEqualKeys(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Guid.Parse("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        AssertEqualKeys(Int128.MaxValue, Int128.MaxValue);
        AssertEqualKeys(LongKind.Big, (LongKind)long.MaxValue);
        AssertEqualKeys(new TimeOnly(13, 5), new TimeOnly(13, 5));
        AssertEqualKeys(1.5m, 1.5000m);
        AssertEqualKeys(0m, -0.000m);
        AssertEqualKeys(-12.30m, -12.3m);
        AssertEqualKeys(79228162514264337593543950335m, 79228162514264337593543950335.0m - 0.0m);
        AssertEqualKeys(new decimal(10, 0, 0, false, 1), 1m); // 10 × 10^-1
        Assert.NotEqual(ScheduledPayload.KeyComparer<decimal>()!.GetHashCode(1.5m), ScheduledPayload.KeyComparer<decimal>()!.GetHashCode(-1.5m));

        var dictionary = new Dictionary<double, string>(ScheduledPayload.KeyComparer<double>()) { [0.0] = "zero" };
        Assert.Equal("zero", dictionary[-0.0]);
    }

    [Fact]
    public void Each_key_type_gets_a_resistant_comparer_or_the_default()
    {
        Assert.NotNull(ScheduledPayload.KeyComparer<bool>());
        Assert.NotNull(ScheduledPayload.KeyComparer<char>());
        Assert.NotNull(ScheduledPayload.KeyComparer<byte>());
        Assert.NotNull(ScheduledPayload.KeyComparer<ushort>());
        Assert.NotNull(ScheduledPayload.KeyComparer<uint>());
        Assert.NotNull(ScheduledPayload.KeyComparer<SmallKind>());
        Assert.NotNull(ScheduledPayload.KeyComparer<LongKind>());
        Assert.NotNull(ScheduledPayload.KeyComparer<DateOnly>());
        Assert.NotNull(ScheduledPayload.KeyComparer<UInt128>());
        Assert.Same(ScheduledPayload.KeyComparer<long>(), ScheduledPayload.KeyComparer<long>()); // one per type

        Assert.Null(ScheduledPayload.KeyComparer<string>()); // .NET randomizes string hashing once collisions grow
        Assert.NotNull(ScheduledPayload.KeyComparer<decimal>());
        Assert.Null(ScheduledPayload.KeyComparer<int?>());
        Assert.Null(ScheduledPayload.KeyComparer<object>());
    }

    private static void AssertEqualKeys<T>(T a, T b)
    {
        var comparer = ScheduledPayload.KeyComparer<T>()!;
        Assert.True(comparer.Equals(a, b), $"{a} equals {b}");
        Assert.Equal(comparer.GetHashCode(a!), comparer.GetHashCode(b!));
    }

    private enum SmallKind : short
    {
        A = 1,
    }

    private enum LongKind : long
    {
        Big = long.MaxValue,
    }
}
