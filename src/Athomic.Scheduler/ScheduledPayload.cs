using MessagePack;

namespace Athomic.Scheduler;

/// <summary>
/// Encodes and decodes handler payloads with MessagePack under untrusted-data security. Generated code calls
/// these; no type name is ever read from storage (the handler's declared payload type decides).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public static class ScheduledPayload
{
    /// <summary>The serializer options: the standard resolver with <see cref="MessagePackSecurity.UntrustedData"/>.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a payload.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="value">The payload.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Serialize<T>(T value) => MessagePackSerializer.Serialize(value, Options);

    /// <summary>Decodes a payload.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="bytes">The bytes.</param>
    /// <param name="handler">The handler name, for the error message.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="TaskPayloadException">The bytes are not a <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes, string handler)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(bytes, Options);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new TaskPayloadException($"The payload of handler '{handler}' cannot be decoded as {typeof(T).FullName}: {ex.Message}", ex);
        }
    }
}

/// <summary>Thrown when a task's payload cannot be decoded; such a task is dead-lettered, never retried.</summary>
public sealed class TaskPayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The cause.</param>
    public TaskPayloadException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
