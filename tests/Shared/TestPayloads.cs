using Athomic.Scheduler.Serialization;
using MessagePack;

namespace Athomic.Scheduler.Tests.Shared;

/// <summary>
/// Payload bytes for tests that build a <c>GenericTask</c> by hand, with MessagePack's standard resolver: the bytes
/// the generated formatters write for the same value (pinned by the wire-compatibility tests).
/// </summary>
internal static class TestPayloads
{
    /// <summary>The standard resolver under untrusted-data security, as payloads were written before generated formatters.</summary>
    public static MessagePackSerializerOptions Options { get; } = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a value.</summary>
    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    /// <summary>Decodes a value; bytes that are not a <typeparamref name="T"/> throw <see cref="TaskPayloadException"/>, as in generated handlers.</summary>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(bytes, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new TaskPayloadException($"The payload cannot be decoded as {typeof(T).FullName}: {ex.Message}", ex);
        }
    }
}
