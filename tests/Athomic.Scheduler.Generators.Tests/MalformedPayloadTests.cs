using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Athomic.Scheduler.Serialization;
using CsCheck;
using MessagePack;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// Bytes that are not a payload: every failure of the generated formatters surfaces from
/// <see cref="ScheduledPayload.Deserialize"/> as <see cref="TaskPayloadException"/> (the task is dead-lettered), never
/// as another exception type, and never hangs.
/// </summary>
public sealed class MalformedPayloadTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>A fixed envelope (the first of a fixed seed's stream with the larger parts present, under 3000 bytes).</summary>
    private static readonly WireEnvelope Rich = FirstRich();

    [Fact]
    public void Every_truncation_of_a_payload_throws_TaskPayloadException()
    {
        var bytes = Wire.GeneratedBytes(Rich);
        Assert.True(bytes.Length > 50, "the sample payload is too small to be interesting: " + bytes.Length);
        for (var length = 0; length < bytes.Length; length++)
        {
            AssertRejected<WireEnvelope>(bytes.AsMemory(0, length), "truncated to " + length + " of " + bytes.Length + " bytes");
        }
    }

    [Fact]
    public void Wrong_type_codes_throw_TaskPayloadException()
    {
        AssertRejected<WireRecord>(new byte[] { 0xc1 }, "the never-used code 0xc1");
        AssertRejected<WireRecord>(Bytes(b => { b.WriteArrayHeader(2); b.Write("not an int"); b.Write("x"); }), "a string for an int key");
        AssertRejected<WireRecord>(Bytes(b => { b.WriteArrayHeader(2); b.Write(1); b.Write(2); }), "an int for a string");
        AssertRejected<WireRecord>(Bytes(b => { b.WriteArrayHeader(1); b.Write(long.MaxValue); }), "an int64 for an int32");
        AssertRejected<WireScalars>(Bytes(b => { b.WriteArrayHeader(2); b.Write(true); b.Write(300); }), "300 for a byte");
        AssertRejected<WireScalars>(Bytes(b => { b.WriteArrayHeader(15); for (var i = 0; i < 14; i++) { b.WriteNil(); } b.Write("text"); }), "nil for a bool, then a string for byte[]");
        AssertRejected<WireTimes>(Bytes(b => { b.WriteMapHeader(1); b.Write("id"); b.Write("not a guid"); }), "a string that is no Guid");
        AssertRejected<WireTimes>(Bytes(b => { b.WriteMapHeader(1); b.Write(5); b.Write(5); }), "an int map key");
        AssertRejected<WireCollections>(Bytes(b => { b.WriteMapHeader(1); b.Write("dict"); b.WriteArrayHeader(0); }), "an array for a dictionary");
        AssertRejected<WireCollections>(Bytes(b => { b.WriteMapHeader(1); b.Write("dict"); b.WriteMapHeader(2); b.Write("k"); b.Write(1); b.Write("k"); b.Write(2); }), "a repeated dictionary key");
        AssertRejected<WireColor>(Bytes(b => b.Write("Red")), "an enum name for an int enum");
        AssertRejected<DateTime>(Bytes(b => b.Write(12)), "an int for a DateTime");
        AssertRejected<int[][]>(Bytes(b => { b.WriteArrayHeader(1); b.Write(3); }), "an int for an inner array");
    }

    [Fact]
    public void A_map_where_an_array_is_expected_and_the_reverse_throw_TaskPayloadException()
    {
        AssertRejected<WireRecord>(Wire.DynamicBytes(new CustomerV1 { Id = 1, Name = "x" }), "a map for an int-keyed object");
        AssertRejected<WireTimes>(Wire.DynamicBytes(new OrderV1(1, "x")), "an array for a string-keyed object");
        AssertRejected<WireByNameStruct>(Bytes(b => b.WriteArrayHeader(0)), "an array for a struct with keys from names");
        AssertRejected<int[][]>(Bytes(b => b.WriteMapHeader(0)), "a map for an array");
    }

    [Fact]
    public void Nil_for_a_struct_payload_throws_TaskPayloadException()
    {
        AssertRejected<WireByNameStruct>(Bytes(b => b.WriteNil()), "nil for a struct");
        AssertRejected<DateTime>(Bytes(b => b.WriteNil()), "nil for a DateTime");
        AssertRejected<WireColor>(Bytes(b => b.WriteNil()), "nil for an enum");
        AssertRejected<WireStringRecord>(Bytes(b => { b.WriteMapHeader(1); b.Write("window"); b.WriteNil(); }), "nil for a struct member");
    }

    [Fact]
    public void Nesting_beyond_the_untrusted_depth_throws_TaskPayloadException()
    {
        const int MaxDepth = ScheduledPayload.MaxDepth;
        Assert.Equal(MaxDepth, MessagePackSecurity.UntrustedData.MaximumObjectGraphDepth); // the limit payloads were read with before

        // Nodes nested through Next: [0, [0, [0, ...]]].
        byte[] Nested(int depth) => Bytes(b =>
        {
            for (var i = 0; i < depth; i++)
            {
                b.WriteArrayHeader(2);
                b.Write(i);
            }

            b.WriteNil();
        });

        Assert.Equal(MaxDepth - 1, Depth(Wire.ReadGenerated<WireNode>(Nested(MaxDepth))));
        AssertRejected<WireNode>(Nested(MaxDepth + 1), "nested " + (MaxDepth + 1) + " deep");
        AssertRejected<WireNode>(Nested(100_000), "nested 100000 deep");

        // Lists of children nest deeper per level (the list is a level too).
        var children = Bytes(b =>
        {
            for (var i = 0; i < 300; i++)
            {
                b.WriteArrayHeader(3);
                b.Write(i);
                b.WriteNil();
                b.WriteArrayHeader(1);
            }

            b.WriteNil();
        });
        AssertRejected<WireNode>(children, "children nested 300 deep");
    }

    [Fact]
    public void Lengths_larger_than_the_bytes_throw_without_allocating_or_hanging()
    {
        AssertRejected<WireRecord>(Bytes(b => b.WriteRaw(0xdd, 0x7f, 0xff, 0xff, 0xff)), "an array header of 2^31-1 elements");
        AssertRejected<WireTimes>(Bytes(b => b.WriteRaw(0xdf, 0xff, 0xff, 0xff, 0xff)), "a map header of 2^32-1 entries");
        AssertRejected<int[][]>(Bytes(b => b.WriteRaw(0x91, 0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01)), "an inner array of 2^31-1 ints");
        AssertRejected<WireCollections>(Bytes(b => { b.WriteMapHeader(1); b.Write("dict"); b.WriteRaw(0xdf, 0x7f, 0xff, 0xff, 0xff); }), "a dictionary of 2^31-1 entries");
        AssertRejected<string>(Bytes(b => b.WriteRaw(0xdb, 0x7f, 0xff, 0xff, 0xff, 0x61)), "a string of 2^31-1 bytes");
        AssertRejected<WireScalars>(Bytes(b => { b.WriteArrayHeader(15); for (var i = 0; i < 14; i++) { b.Write(0); } b.WriteRaw(0xc6, 0x7f, 0xff, 0xff, 0xff); }), "a byte[] of 2^31-1 bytes");
    }

    /// <summary>Random corruptions of a valid payload: each decodes or throws <see cref="TaskPayloadException"/>, nothing else.</summary>
    [Fact]
    public void Random_corruptions_decode_or_throw_TaskPayloadException()
    {
        var valid = Wire.GeneratedBytes(Rich);
        var corruption =
            Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 4]
                .Select(Gen.Int[1, valid.Length], (flips, length) => (flips, length));
        corruption.Sample((flips, length) =>
        {
            var bytes = (byte[])valid.Clone();
            foreach (var (at, value) in flips)
            {
                bytes[at] = value;
            }

            AssertDecodesOrRejected<WireEnvelope>(bytes.AsMemory(0, length));
        }, iter: 3000);
    }

    private static WireEnvelope FirstRich()
    {
        var pcg = new PCG(1, 15);
        while (true)
        {
            var envelope = WireGen.Envelope.Generate(pcg, null, out _);
            if (envelope is { Record: not null, Collections: not null, Times: not null, StringRecord: not null, Scalars: not null }
                && Wire.GeneratedBytes(envelope).Length < 3000) // every truncation is decoded: keep it quadratic in little
            {
                return envelope;
            }
        }
    }

    private static int Depth(WireNode? node)
    {
        var depth = 0;
        for (; node?.Next is not null; node = node.Next)
        {
            depth++;
        }

        return depth;
    }

    private static byte[] Bytes(Action<MessageBuilder> write)
    {
        var builder = new MessageBuilder();
        write(builder);
        return builder.ToArray();
    }

    private static void AssertRejected<T>(ReadOnlyMemory<byte> bytes, string what)
    {
        var error = Decode<T>(bytes, what);
        Assert.True(error is TaskPayloadException, $"{what}: expected TaskPayloadException, got {error?.GetType().Name ?? "a value"} ({Wire.Hex(bytes.Span)}){(error is null ? string.Empty : ": " + error)}");
    }

    private static void AssertDecodesOrRejected<T>(ReadOnlyMemory<byte> bytes)
    {
        var error = Decode<T>(bytes, "corrupted bytes");
        Assert.True(error is null or TaskPayloadException, $"{Wire.Hex(bytes.Span)}: {error}");
    }

    /// <summary>Decodes on a thread pool thread, so a hang fails the test instead of blocking it.</summary>
    private static Exception? Decode<T>(ReadOnlyMemory<byte> bytes, string what)
    {
        var decoding = Task.Run(() =>
        {
            try
            {
                _ = Wire.ReadGenerated<T>(bytes);
                return null;
            }
            catch (Exception ex)
            {
                return ex;
            }
        });
        Assert.True(decoding.Wait(Limit), what + ": still decoding after " + Limit);
        return decoding.Result;
    }
}
