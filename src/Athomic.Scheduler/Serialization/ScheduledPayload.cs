using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Athomic.Scheduler.Serialization;

/// <summary>
/// Encodes and decodes handler payloads with the MessagePack formatters the generator emits for each payload type,
/// with the nesting limit of untrusted data. Generated code calls these; no type name is ever read from storage (the
/// handler's declared payload type decides), and no reflection or dynamic code runs.
/// </summary>
/// <remarks>
/// The generated formatters run without <see cref="MessagePackSerializerOptions"/> (<see langword="null"/>): creating
/// options creates a <see cref="MessagePackSecurity"/>, whose hash-resistant comparer for <c>object</c> keys makes
/// reflection reachable and so would cost every Native AOT app a trim warning. Only assemblies that opted out with
/// <see cref="DynamicPayloadFormattersAttribute"/> pass options (<see cref="CreateDynamicOptions"/>).
/// </remarks>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public static class ScheduledPayload
{
    private const int MaxRetainedBuffer = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The deepest nesting a payload may have, as under <see cref="MessagePackSecurity.UntrustedData"/>.</summary>
    public const int MaxDepth = 500;

    /// <summary>
    /// Options with the generated resolver ahead of MessagePack's standard resolver, for assemblies that opted out with
    /// <see cref="DynamicPayloadFormattersAttribute"/>: payload parts without a generated formatter use dynamic code.
    /// </summary>
    /// <param name="resolver">The generated resolver of an assembly.</param>
    /// <returns>The options.</returns>
    [RequiresDynamicCode("MessagePack's standard resolver builds formatters with Reflection.Emit.")]
    [RequiresUnreferencedCode("MessagePack's standard resolver reflects over payload types.")]
    public static MessagePackSerializerOptions CreateDynamicOptions(IFormatterResolver resolver) =>
        new MessagePackSerializerOptions(CompositeResolver.Create(resolver ?? throw new ArgumentNullException(nameof(resolver)), StandardResolver.Instance))
            .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// The comparer for the keys of a dictionary or set that a generated formatter decodes: hash-flood resistant (a
    /// hash seeded at random per process) for integer, character, Boolean, enum, floating-point, <see cref="decimal"/>,
    /// <see cref="Guid"/>, date and time keys; <see langword="null"/>, the default, for strings (randomized by .NET once collisions grow)
    /// and other key types.
    /// </summary>
    /// <typeparam name="T">The key type.</typeparam>
    /// <returns>The comparer, or <see langword="null"/> for the default.</returns>
    public static IEqualityComparer<T>? KeyComparer<T>() => PayloadKeyComparers.For<T>();

    /// <summary>Encodes a payload.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="value">The payload.</param>
    /// <param name="formatter">The generated formatter of <typeparamref name="T"/>.</param>
    /// <param name="options">The options from <see cref="CreateDynamicOptions"/>, or <see langword="null"/> without the opt-out.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Serialize<T>(T value, IMessagePackFormatter<T> formatter, MessagePackSerializerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        t_buffer = null; // a formatter that schedules re-entrantly gets its own buffer
        try
        {
            var writer = new MessagePackWriter(buffer);
            formatter.Serialize(ref writer, value, options!);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity <= MaxRetainedBuffer)
            {
                buffer.ResetWrittenCount();
                t_buffer = buffer;
            }
        }
    }

    /// <summary>Decodes a payload.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="bytes">The bytes.</param>
    /// <param name="handler">The handler name, for the error message.</param>
    /// <param name="formatter">The generated formatter of <typeparamref name="T"/>.</param>
    /// <param name="options">The options from <see cref="CreateDynamicOptions"/>, or <see langword="null"/> without the opt-out.</param>
    /// <returns>The payload.</returns>
    /// <exception cref="TaskPayloadException">The bytes are not a <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(ReadOnlyMemory<byte> bytes, string handler, IMessagePackFormatter<T> formatter, MessagePackSerializerOptions? options)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        try
        {
            var reader = new MessagePackReader(bytes);
            return formatter.Deserialize(ref reader, options!);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Malformed bytes surface as MessagePackSerializationException, EndOfStreamException, OverflowException,
            // FormatException, InsufficientExecutionStackException (nesting) or ArgumentException (a repeated key),
            // and a payload constructor may throw too: none of them gets better by retrying.
            throw new TaskPayloadException($"The payload of handler '{handler}' cannot be decoded as {typeof(T).FullName}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Enters one level of nesting: the options' limit when there are options, else <see cref="MaxDepth"/>. The caller
    /// decrements <see cref="MessagePackReader.Depth"/> when it leaves the level.
    /// </summary>
    /// <param name="reader">The reader.</param>
    /// <param name="options">The options, or <see langword="null"/>.</param>
    /// <exception cref="InsufficientExecutionStackException">The payload is nested deeper than the limit.</exception>
    public static void DepthStep(ref MessagePackReader reader, MessagePackSerializerOptions? options)
    {
        if (options is not null)
        {
            options.Security.DepthStep(ref reader);
            return;
        }

        if (reader.Depth >= MaxDepth)
        {
            throw new InsufficientExecutionStackException($"The payload is nested deeper than {MaxDepth} levels.");
        }

        reader.Depth++;
    }
}
