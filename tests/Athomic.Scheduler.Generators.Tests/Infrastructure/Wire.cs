using System.Collections;
using System.Reflection;
using Athomic.Scheduler;
using Athomic.Scheduler.Serialization;
using MessagePack;
using MessagePack.Formatters;
using Xunit.Sdk;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>
/// The two sides of the wire-compatibility promise: MessagePack 2.5's dynamic <c>StandardResolver</c> (what deployed
/// code wrote and read before generated formatters) and this assembly's generated resolver, used as generated code
/// uses it (<see cref="ScheduledPayload"/> with no options: generated code passes none).
/// </summary>
internal static class Wire
{
    /// <summary>The dynamic resolver, as <c>MessagePackSerializer</c> wrote payloads.</summary>
    public static MessagePackSerializerOptions Dynamic { get; } = MessagePackSerializerOptions.Standard;

    /// <summary>The generated formatter of <typeparamref name="T"/>, through the resolver.</summary>
    public static IMessagePackFormatter<T> Formatter<T>() =>
        AthomicSchedulerGeneratorsTestsPayloadResolver.Instance.GetFormatter<T>()
        ?? throw new XunitException("No generated formatter for " + typeof(T));

    public static byte[] GeneratedBytes<T>(T value) => AthomicSchedulerGeneratorsTestsPayloadResolver.Serialize(value);

    public static byte[] DynamicBytes<T>(T value) => MessagePackSerializer.Serialize(value, Dynamic);

    /// <summary>Decodes as a generated handler does: <see cref="TaskPayloadException"/> for bad bytes.</summary>
    public static T ReadGenerated<T>(ReadOnlyMemory<byte> bytes) => ScheduledPayload.Deserialize(bytes, "wire.test", Formatter<T>(), null);

    public static T ReadDynamic<T>(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<T>(bytes, Athomic.Scheduler.Tests.Shared.TestPayloads.Options); // untrusted data, as payloads were read

    public static string Hex(ReadOnlySpan<byte> bytes) => bytes.Length > 400
        ? Convert.ToHexString(bytes[..400]) + "...(" + bytes.Length + " bytes)"
        : Convert.ToHexString(bytes);

    /// <summary>Fails with both byte arrays in hex and the first differing offset.</summary>
    public static void AssertSameBytes(byte[] expected, byte[] actual, string what)
    {
        if (expected.AsSpan().SequenceEqual(actual))
        {
            return;
        }

        var at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        throw new XunitException($"{what}: bytes differ at offset {at}\n  dynamic:   {Hex(expected)}\n  generated: {Hex(actual)}");
    }
}

/// <summary>
/// Structural equality for payload values: records compare by value but their collections by reference, so this walks
/// objects (public properties and fields), collections (in order), sets and dictionaries (by key).
/// </summary>
internal static class Deep
{
    /// <summary>
    /// Throws when <paramref name="expected"/> and <paramref name="actual"/> differ. <paramref name="strict"/>: the runtime
    /// types, <c>DateTime.Kind</c> and <c>[IgnoreMember]</c> members must match too (two decodings of the same bytes);
    /// otherwise a value and its decoding (local times compare as UTC, collections by content).
    /// </summary>
    public static void AssertEqual(object? expected, object? actual, bool strict, string what)
    {
        if (Difference(expected, actual, strict, "value", 0) is { } difference)
        {
            throw new XunitException(what + ": " + difference);
        }
    }

    private static string? Difference(object? a, object? b, bool strict, string path, int depth)
    {
        if (depth > 200)
        {
            return path + ": too deep";
        }

        if (a is null || b is null)
        {
            return a is null && b is null ? null : $"{path}: {Show(a)} vs {Show(b)}";
        }

        var type = a.GetType();
        if (strict && type != b.GetType())
        {
            return $"{path}: runtime type {type} vs {b.GetType()}";
        }

        switch (a)
        {
            case DateTime x when b is DateTime y:
                var same = strict ? x.Ticks == y.Ticks && x.Kind == y.Kind : Utc(x) == Utc(y);
                return same ? null : $"{path}: {x:O} ({x.Kind}) vs {y:O} ({y.Kind})";
            case DateTimeOffset x when b is DateTimeOffset y:
                return x.EqualsExact(y) ? null : $"{path}: {x:O} vs {y:O}";
            case Uri x when b is Uri y:
                return x.OriginalString == y.OriginalString ? null : $"{path}: {x.OriginalString} vs {y.OriginalString}";
            case string or Version or System.Numerics.BigInteger or decimal or double or float or Enum or Guid or char or TimeSpan or DateOnly or TimeOnly:
            case bool or byte or sbyte or short or ushort or int or uint or long or ulong:
                return a.Equals(b) ? null : $"{path}: {Show(a)} vs {Show(b)}";
            case byte[] x when b is byte[] y:
                return x.AsSpan().SequenceEqual(y) ? null : $"{path}: {Wire.Hex(x)} vs {Wire.Hex(y)}";
            case IDictionary x when b is IDictionary y:
                if (x.Count != y.Count)
                {
                    return $"{path}: {x.Count} entries vs {y.Count}";
                }

                foreach (DictionaryEntry entry in x)
                {
                    if (!y.Contains(entry.Key))
                    {
                        return $"{path}: key {Show(entry.Key)} missing";
                    }

                    if (Difference(entry.Value, y[entry.Key], strict, $"{path}[{Show(entry.Key)}]", depth + 1) is { } d)
                    {
                        return d;
                    }
                }

                return null;
            case IEnumerable x when b is IEnumerable y:
                var left = x.Cast<object?>().ToList();
                var right = y.Cast<object?>().ToList();
                if (left.Count != right.Count)
                {
                    return $"{path}: {left.Count} items vs {right.Count}";
                }

                if (IsSet(type))
                {
                    // Sets of scalars in these payloads: the same members, in any order.
                    return left.All(item => right.Contains(item)) ? null : $"{path}: sets differ";
                }

                for (var i = 0; i < left.Count; i++)
                {
                    if (Difference(left[i], right[i], strict, $"{path}[{i}]", depth + 1) is { } d)
                    {
                        return d;
                    }
                }

                return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true } || (!strict && property.IsDefined(typeof(IgnoreMemberAttribute))))
            {
                continue;
            }

            if (Difference(property.GetValue(a), property.GetValue(b), strict, path + "." + property.Name, depth + 1) is { } d)
            {
                return d;
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (Difference(field.GetValue(a), field.GetValue(b), strict, path + "." + field.Name, depth + 1) is { } d)
            {
                return d;
            }
        }

        return null;
    }

    private static bool IsSet(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISet<>));

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : value;

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => s.Length > 40 ? "\"" + s[..40] + "...\" (" + s.Length + " chars)" : "\"" + s + "\"",
        _ => value + " (" + value.GetType().Name + ")",
    };
}
