using MessagePack;

namespace Athomic.Scheduler;

/// <summary>Renders a MessagePack payload as JSON for operators, without resolving any type (<see cref="TaskDetails.PayloadToJson"/>).</summary>
internal static class PayloadJson
{
    private const int MaxDepth = 64;

    /// <summary>The payload as JSON, or <see langword="null"/> when it is larger than <paramref name="maxPayloadBytes"/> or not valid MessagePack.</summary>
    public static string? Convert(ReadOnlyMemory<byte> payload, int maxPayloadBytes)
    {
        if (payload.Length > maxPayloadBytes)
        {
            return null;
        }

        if (payload.IsEmpty)
        {
            return "null";
        }

        try
        {
            // Bounded nesting first: the conversion recurses, and the payload is untrusted.
            var check = new MessagePackReader(payload);
            StoredBytes.Skip(ref check, MaxDepth);
            if (!check.End)
            {
                return null;
            }

            return MessagePackSerializer.ConvertToJson(payload, MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData));
        }
        catch (Exception ex) when (StoredBytes.IsMalformed(ex))
        {
            return null;
        }
    }
}
