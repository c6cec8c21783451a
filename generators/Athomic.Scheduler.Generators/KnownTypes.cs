namespace Athomic.Scheduler.Generators;

/// <summary>
/// The types MessagePack 2.x's standard resolver handles natively, in one place: <see cref="PayloadTypeChecker"/>
/// accepts them in payloads and <see cref="PayloadShapeParser"/> maps the non-generic ones to the built-in formatter the
/// generated code calls.
/// </summary>
internal static class KnownTypes
{
    /// <summary>Non-generic types the standard resolver handles natively, besides primitives, string, DateTime and enums.</summary>
    /// <remarks><c>object</c>, <c>System.Type</c> and non-generic collections are left out on purpose: they do not
    /// round-trip, or would resolve type names read from storage.</remarks>
    internal static readonly string[] NativeTypes =
    {
        "System.Guid",
        "System.DateTimeOffset",
        "System.TimeSpan",
        "System.Uri",
        "System.Version",
        "System.DateOnly",
        "System.TimeOnly",
        "System.Half",
        "System.Numerics.BigInteger",
        "System.Numerics.Complex",
        "System.Text.StringBuilder",
        "System.Collections.BitArray",
    };

    /// <summary>Generic types the standard resolver handles when all their type arguments are supported.</summary>
    internal static readonly string[] NativeGenericTypes =
    {
        "System.Nullable`1",
        "System.ArraySegment`1",
        "System.Memory`1",
        "System.ReadOnlyMemory`1",
        "System.Lazy`1",
        "System.Collections.Generic.List`1",
        "System.Collections.Generic.IList`1",
        "System.Collections.Generic.ICollection`1",
        "System.Collections.Generic.IEnumerable`1",
        "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.ISet`1",
        "System.Collections.Generic.IReadOnlySet`1",
        "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.SortedSet`1",
        "System.Collections.Generic.LinkedList`1",
        "System.Collections.Generic.Queue`1",
        "System.Collections.Generic.Stack`1",
        "System.Collections.Generic.Dictionary`2",
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Generic.SortedDictionary`2",
        "System.Collections.Generic.SortedList`2",
        "System.Collections.Generic.KeyValuePair`2",
        "System.Collections.ObjectModel.Collection`1",
        "System.Collections.ObjectModel.ReadOnlyCollection`1",
        "System.Collections.ObjectModel.ObservableCollection`1",
        "System.Collections.ObjectModel.ReadOnlyObservableCollection`1",
        "System.Collections.ObjectModel.ReadOnlyDictionary`2",
        "System.Collections.Concurrent.ConcurrentDictionary`2",
        "System.Collections.Concurrent.ConcurrentQueue`1",
        "System.Collections.Concurrent.ConcurrentStack`1",
        "System.Collections.Concurrent.ConcurrentBag`1",
        "System.Collections.Immutable.ImmutableArray`1",
        "System.Collections.Immutable.ImmutableList`1",
        "System.Collections.Immutable.ImmutableHashSet`1",
        "System.Collections.Immutable.ImmutableSortedSet`1",
        "System.Collections.Immutable.ImmutableQueue`1",
        "System.Collections.Immutable.ImmutableStack`1",
        "System.Collections.Immutable.ImmutableDictionary`2",
        "System.Collections.Immutable.ImmutableSortedDictionary`2",
        "System.Collections.Immutable.IImmutableList`1",
        "System.Collections.Immutable.IImmutableSet`1",
        "System.Collections.Immutable.IImmutableQueue`1",
        "System.Collections.Immutable.IImmutableStack`1",
        "System.Collections.Immutable.IImmutableDictionary`2",
        "System.Linq.ILookup`2",
        "System.Linq.IGrouping`2",
        "System.Tuple`1",
        "System.Tuple`2",
        "System.Tuple`3",
        "System.Tuple`4",
        "System.Tuple`5",
        "System.Tuple`6",
        "System.Tuple`7",
        "System.Tuple`8",
        "System.ValueTuple`1",
        "System.ValueTuple`2",
        "System.ValueTuple`3",
        "System.ValueTuple`4",
        "System.ValueTuple`5",
        "System.ValueTuple`6",
        "System.ValueTuple`7",
        "System.ValueTuple`8",
    };

    /// <summary>Generic types the standard resolver handles only over <see cref="byte"/>.</summary>
    internal static readonly string[] NativeByteTypes =
    {
        "System.Buffers.ReadOnlySequence`1",
    };

    /// <summary>
    /// The built-in formatter (a type in <c>MessagePack.Formatters</c>) that the standard resolver uses for
    /// <paramref name="fullName"/>: each of <see cref="NativeTypes"/>, and <c>decimal</c> (a primitive for the checker),
    /// by the type's simple name; <see langword="null"/> for any other type.
    /// </summary>
    public static string? BuiltinFormatter(string fullName)
    {
        if (fullName == "System.Decimal")
        {
            return "DecimalFormatter";
        }

        foreach (var native in NativeTypes)
        {
            if (native == fullName)
            {
                return fullName.Substring(fullName.LastIndexOf('.') + 1) + "Formatter";
            }
        }

        return null;
    }
}
