using System.Text.Json;
using Athomic.Scheduler.Serialization;
using Athomic.Scheduler.Tests.Infrastructure;
using MessagePack;

namespace Athomic.Scheduler.Tests.Envelope;

/// <summary>
/// The operators' view of a payload: MessagePack rendered as JSON by a walk over the reader (no resolver, no type),
/// bounded in size and depth, and <see langword="null"/> for anything that is not one valid MessagePack value.
/// </summary>
public sealed class PayloadJsonTests
{
    private const int Unlimited = int.MaxValue;

    [Fact]
    public void Nested_maps_and_arrays_keep_their_shape_and_order()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(3);
            w.Write("b");
            w.WriteArrayHeader(3);
            w.Write(1);
            w.WriteMapHeader(1);
            w.Write("inner");
            w.WriteArrayHeader(0);
            w.WriteNil();
            w.Write("a");
            w.WriteMapHeader(0);
            w.Write("c");
            w.Write(true);
        });

        Assert.Equal("""{"b":[1,{"inner":[]},null],"a":{},"c":true}""", PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void Strings_are_escaped_for_JSON_and_keep_readable_characters_as_they_are()
    {
        const string text = "quote \" backslash \\ newline \n tab \t bell \u0007 <b>café</b> 日本 🙂";
        var bytes = Packed.Pack((ref MessagePackWriter w) => w.Write(text));

        var json = PayloadJson.Convert(bytes, Unlimited)!;

        Assert.Equal(text, JsonDocument.Parse(json).RootElement.GetString());
        Assert.Contains("\\\"", json); // \"
        Assert.Contains("\\\\", json); // \\
        Assert.Contains("\\n", json);
        Assert.Contains("\\u0007", json);
        Assert.Contains("<b>café</b> 日本 ", json); // for people: not \u-escaped (the dashboard HTML-encodes it); the emoji, outside the BMP, is
    }

    [Fact]
    public void Integers_of_every_width_and_sign_are_exact()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write(0);
            w.Write(-1);
            w.Write(200);
            w.Write(-40_000);
            w.Write(long.MinValue);
            w.Write(ulong.MaxValue);
        });

        Assert.Equal("[0,-1,200,-40000,-9223372036854775808,18446744073709551615]", PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void Floats_are_shortest_round_trip_numbers_and_non_finite_ones_are_strings()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(5);
            w.Write(12.5d);
            w.Write(0.1f);
            w.Write(-1e300d);
            w.Write(double.NaN);
            w.Write(float.NegativeInfinity);
        });

        Assert.Equal("""[12.5,0.1,-1E+300,"NaN","-Infinity"]""", PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void Booleans_nil_and_binary_as_base64()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write(false);
            w.Write(true);
            w.WriteNil();
            w.Write(new byte[] { 0x00, 0xFF, 0x10, 0x20 });
        });

        Assert.Equal("""[false,true,null,"AP8QIA=="]""", PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void Timestamps_are_ISO_8601_in_UTC_and_other_extensions_show_their_type_and_data()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write(new DateTime(2026, 11, 5, 14, 30, 15, 250, DateTimeKind.Utc)); // timestamp 64 (has nanoseconds)
            w.Write(new DateTime(2026, 11, 5, 0, 0, 0, DateTimeKind.Utc)); // timestamp 32
            w.WriteExtensionFormat(new ExtensionResult(42, new byte[] { 1, 2, 3 }));
        });

        Assert.Equal("""["2026-11-05T14:30:15.25Z","2026-11-05T00:00:00Z",{"$ext":42,"data":"AQID"}]""", PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void Map_keys_that_are_not_strings_become_the_text_of_their_JSON()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(6);
            w.Write(7);
            w.Write("int");
            w.Write(true);
            w.Write("bool");
            w.WriteNil();
            w.Write("nil");
            w.Write(new byte[] { 1, 2 });
            w.Write("bin");
            w.WriteArrayHeader(2);
            w.Write(1);
            w.Write("x");
            w.Write("array");
            w.Write(new DateTime(2026, 1, 2, 0, 0, 0, DateTimeKind.Utc));
            w.Write("time");
        });

        Assert.Equal("""{"7":"int","true":"bool","null":"nil","AQI=":"bin","[1,\"x\"]":"array","2026-01-02T00:00:00Z":"time"}""",
            PayloadJson.Convert(bytes, Unlimited));
    }

    [Fact]
    public void A_payload_written_by_the_serializer_renders_as_its_MessagePack_shape()
    {
        var bytes = Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize(new Dictionary<string, object?> { ["user"] = 42, ["tags"] = new[] { "a", "b" } });

        Assert.Equal("""{"user":42,"tags":["a","b"]}""", PayloadJson.Convert(bytes, Unlimited));
    }

    [Theory]
    [InlineData("c1")] // never used by MessagePack
    [InlineData("92 01")] // an array of 2 with 1 item
    [InlineData("a5 61 62")] // a string of 5 bytes with 2
    [InlineData("c6 7f ff ff ff 00")] // bin 32 claiming 2 GB
    [InlineData("81 a1 61")] // a map whose value is missing
    [InlineData("d7 ff 00")] // timestamp 64 cut short
    [InlineData("d6 ff 00 00 00 01 c3")] // a valid timestamp followed by a second value
    [InlineData("01 02")] // two values, not one
    public void Malformed_or_trailing_bytes_give_null(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        Assert.Null(PayloadJson.Convert(bytes, Unlimited));
    }

    [Theory]
    [InlineData("c1", "Not valid MessagePack at byte 0: ")]
    [InlineData("93 01 02 c1", "Not valid MessagePack at byte 3: ")]
    [InlineData("92 01", "The payload is cut short: its 2 bytes end inside a value.")]
    [InlineData("81 a1 61 a5 62", "The payload is cut short: its 5 bytes end inside a value.")]
    [InlineData("c6 7f ff ff ff 00", "The payload is cut short: its 6 bytes end inside a value.")]
    [InlineData("01 02", "1 bytes follow the first value, which ends at byte 1: a payload is one value.")]
    [InlineData("d6 ff 00 00 00 01 c3 c3", "2 bytes follow the first value, which ends at byte 6: a payload is one value.")]
    [InlineData("d5 ff 00 00", "Not valid MessagePack at byte 0: ")] // a timestamp extension of 2 bytes, a length no timestamp has
    public void Why_a_payload_is_not_converted_is_one_sentence_naming_the_offending_byte_where_there_is_one(string hex, string problem)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        Assert.False(PayloadJson.TryConvert(bytes, Unlimited, out var json, out var why));
        Assert.Null(json);
        Assert.StartsWith(problem, why);
    }

    [Fact]
    public void Why_names_the_depth_cap_and_the_size_cap()
    {
        byte[] deep = [.. Enumerable.Repeat((byte)0x91, PayloadJson.MaxDepth + 1), 0x01];

        Assert.False(PayloadJson.TryConvert(deep, Unlimited, out _, out var tooDeep));
        Assert.Equal($"The payload nests more than {PayloadJson.MaxDepth} containers deep, deeper than this view renders.", tooDeep);
        Assert.False(PayloadJson.TryConvert(new byte[70_000], 65_536, out _, out var tooLarge));
        Assert.Equal("The payload is 70,000 bytes, more than the 65,536 converted.", tooLarge);
        Assert.True(PayloadJson.TryConvert(new byte[] { 0x2A }, Unlimited, out var json, out var none));
        Assert.Equal("42", json);
        Assert.Null(none);
    }

    [Fact]
    public void Nesting_is_rendered_up_to_the_depth_cap_and_refused_beyond_it()
    {
        static byte[] Nested(int depth) => [.. Enumerable.Repeat((byte)0x91, depth), 0x01]; // [[…[1]…]]: depth containers

        var deepest = PayloadJson.Convert(Nested(PayloadJson.MaxDepth), Unlimited);

        Assert.Equal(new string('[', PayloadJson.MaxDepth) + "1" + new string(']', PayloadJson.MaxDepth), deepest);
        Assert.Null(PayloadJson.Convert(Nested(PayloadJson.MaxDepth + 1), Unlimited));
        Assert.Null(PayloadJson.Convert(Nested(100_000), Unlimited)); // refused before any recursion
    }

    [Fact]
    public void Size_cap_and_empty_payload()
    {
        var bytes = Packed.Pack((ref MessagePackWriter w) => w.Write("12345678")); // 9 bytes

        Assert.Equal("\"12345678\"", PayloadJson.Convert(bytes, maxPayloadBytes: 9));
        Assert.Null(PayloadJson.Convert(bytes, maxPayloadBytes: 8));
        Assert.Equal("null", PayloadJson.Convert(ReadOnlyMemory<byte>.Empty, Unlimited));
    }
}
