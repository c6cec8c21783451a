using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MessagePack;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// Renders a MessagePack payload as JSON for operators (<see cref="Operations.TaskDetails.PayloadToJson"/>): a walk over
/// <see cref="MessagePackReader"/> that writes with <see cref="Utf8JsonWriter"/>, so no type is resolved, no
/// formatter or resolver is involved, and it is trim- and Native AOT-safe.
/// </summary>
/// <remarks>
/// MessagePack holds more than JSON, so a few values are written as follows: a map key that is not a string becomes
/// the text of its JSON (<c>1</c> → <c>"1"</c>, <c>[1,2]</c> → <c>"[1,2]"</c>); binary becomes a base64 string; a
/// timestamp (extension -1) becomes an ISO 8601 string in UTC; any other extension becomes
/// <c>{"$ext":type,"data":"base64"}</c>; NaN and the infinities become the strings <c>"NaN"</c>, <c>"Infinity"</c> and
/// <c>"-Infinity"</c>. Strings keep non-ASCII characters (the JSON is for people; the caller encodes it for its medium).
/// </remarks>
internal static class PayloadJson
{
    /// <summary>How many containers deep a payload may nest (an array of scalars is 1); deeper payloads are not rendered.</summary>
    internal const int MaxDepth = 64;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The payload as compact JSON; <c>null</c> (the JSON text) for an empty payload; <see langword="null"/> when it is
    /// larger than <paramref name="maxPayloadBytes"/>, not valid MessagePack, nested deeper than <see cref="MaxDepth"/>,
    /// or followed by bytes after its first value.
    /// </summary>
    public static string? Convert(ReadOnlyMemory<byte> payload, int maxPayloadBytes) =>
        TryConvert(payload, maxPayloadBytes, out var json, out _) ? json : null;

    /// <summary>
    /// The payload as compact JSON (<c>null</c>, the JSON text, for an empty payload), or one sentence saying why it is
    /// not converted: too large, nested too deep, cut short, not MessagePack (with the offset of the first byte that is
    /// not), or followed by bytes after its first value.
    /// </summary>
    public static bool TryConvert(ReadOnlyMemory<byte> payload, int maxPayloadBytes, [NotNullWhen(true)] out string? json, [NotNullWhen(false)] out string? problem)
    {
        json = null;
        problem = null;
        if (payload.Length > maxPayloadBytes)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"The payload is {payload.Length:N0} bytes, more than the {maxPayloadBytes:N0} converted.");
            return false;
        }

        if (payload.IsEmpty)
        {
            json = "null";
            return true;
        }

        // Bounded nesting first, without recursion: the rendering recurses, and the payload is untrusted.
        var reader = new MessagePackReader(payload);
        try
        {
            StoredBytes.Skip(ref reader, MaxDepth);
            if (!reader.End)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"{payload.Length - reader.Consumed:N0} bytes follow the first value, which ends at byte {reader.Consumed:N0}: a payload is one value.");
                return false;
            }

            reader = new MessagePackReader(payload);
            json = Render(ref reader);
            return true;
        }
        catch (Exception ex) when (StoredBytes.IsMalformed(ex))
        {
            // A code that is not MessagePack stops the reader before it, so Consumed is its offset; a cut-short value
            // may stop it after its header, so that case names no offset.
            problem = ex switch
            {
                NestedTooDeepException deep => string.Create(CultureInfo.InvariantCulture, $"The payload nests more than {deep.MaxDepth} containers deep, deeper than this view renders."),
                EndOfStreamException => string.Create(CultureInfo.InvariantCulture, $"The payload is cut short: its {payload.Length:N0} bytes end inside a value."),
                _ => string.Create(CultureInfo.InvariantCulture, $"Not valid MessagePack at byte {reader.Consumed:N0}: {ex.Message}"),
            };
            return false;
        }
    }

    private static string Render(ref MessagePackReader reader)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(ref reader, json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(ref MessagePackReader reader, Utf8JsonWriter json)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                json.WriteStartObject();
                for (var i = 0; i < pairs; i++)
                {
                    json.WritePropertyName(KeyText(ref reader));
                    Write(ref reader, json);
                }

                json.WriteEndObject();
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                json.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    Write(ref reader, json);
                }

                json.WriteEndArray();
                break;
            case MessagePackType.String:
                json.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                json.WriteNumberValue(reader.ReadUInt64()); // may exceed long.MaxValue
                break;
            case MessagePackType.Integer:
                json.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float when reader.NextCode == MessagePackCode.Float32:
                var single = reader.ReadSingle();
                if (float.IsFinite(single))
                {
                    json.WriteNumberValue(single); // shortest text of the float: 0.1, not 0.10000000149011612
                }
                else
                {
                    json.WriteStringValue(single.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (double.IsFinite(number))
                {
                    json.WriteNumberValue(number);
                }
                else
                {
                    json.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Binary:
                json.WriteBase64StringValue(Bytes(reader.ReadBytes()!.Value));
                break;
            case MessagePackType.Extension:
                WriteExtension(ref reader, json);
                break;
            default:
                throw new MessagePackSerializationException($"Unexpected MessagePack code {reader.NextCode}.");
        }
    }

    private static void WriteExtension(ref MessagePackReader reader, Utf8JsonWriter json)
    {
        var peek = reader;
        if (peek.ReadExtensionFormatHeader().TypeCode == ReservedMessagePackExtensionTypeCode.DateTime)
        {
            var timestamp = reader;
            try
            {
                var time = timestamp.ReadDateTime(); // UTC
                reader = timestamp;
                json.WriteStringValue(time);
                return;
            }
            catch (ArgumentOutOfRangeException)
            {
                // A valid timestamp outside DateTime's years 1 to 9999: shown as the raw extension below.
            }
        }

        var extension = reader.ReadExtensionFormat();
        json.WriteStartObject();
        json.WriteNumber("$ext", extension.TypeCode);
        json.WriteBase64String("data", Bytes(extension.Data));
        json.WriteEndObject();
    }

    /// <summary>A map key as a JSON property name: a string as it is, anything else as the text of its JSON.</summary>
    private static string KeyText(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return reader.ReadString()!;
            case MessagePackType.Binary:
                return System.Convert.ToBase64String(Bytes(reader.ReadBytes()!.Value));
            default:
                var json = Render(ref reader);
                return json.Length >= 2 && json[0] == '"' ? Unquote(json) : json;
        }
    }

    /// <summary>The content of a JSON string literal written by <see cref="Render"/> (a timestamp or a non-finite float).</summary>
    private static string Unquote(string literal)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(literal));
        reader.Read();
        return reader.GetString()!;
    }

    private static ReadOnlySpan<byte> Bytes(ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
}
