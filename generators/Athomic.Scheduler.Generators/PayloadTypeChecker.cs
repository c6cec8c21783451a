using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Decides whether MessagePack's standard resolver (the one <c>ScheduledPayload</c> uses) can serialize a payload
/// type: the types it handles natively, collections of such types, and types marked <c>[MessagePackObject]</c>
/// (or <c>[DataContract]</c>, <c>[Union]</c>, <c>[MessagePackFormatter]</c>), whose keyed members are checked too.
/// </summary>
internal static class PayloadTypeChecker
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

    private const int MaxArrayRank = 4;

    private static readonly Dictionary<string, string[]> Native = IndexByName(NativeTypes);
    private static readonly Dictionary<string, string[]> NativeGeneric = IndexByName(NativeGenericTypes);
    private static readonly Dictionary<string, string[]> NativeByte = IndexByName(NativeByteTypes);

    /// <summary>Why <paramref name="type"/> cannot be serialized, or <see langword="null"/> when it can.</summary>
    public static string? FindProblem(ITypeSymbol type) =>
        Check(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));

    private static string? Check(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        // Type parameters are reported as ATS007 or ATS008, errors by the compiler.
        if (type.TypeKind is TypeKind.Error or TypeKind.TypeParameter || IsPrimitive(type.SpecialType))
        {
            return null;
        }

        if (type is IArrayTypeSymbol array)
        {
            return array.Rank > MaxArrayRank
                ? string.Format(CultureInfo.InvariantCulture, "arrays of rank {0} are not supported (at most {1})", array.Rank, MaxArrayRank)
                : Check(array.ElementType, visiting);
        }

        if (type is not INamedTypeSymbol named || type.SpecialType == SpecialType.System_Object)
        {
            return Unsupported(type);
        }

        if (named.TypeKind == TypeKind.Enum || HasAttribute(named, "MessagePack.MessagePackFormatterAttribute"))
        {
            return null;
        }

        var definition = named.OriginalDefinition;
        if (IsOneOf(definition, Native))
        {
            return null;
        }

        if (IsOneOf(definition, NativeGeneric))
        {
            foreach (var argument in named.TypeArguments)
            {
                if (Check(argument, visiting) is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        if (IsOneOf(definition, NativeByte))
        {
            return named.TypeArguments[0].SpecialType == SpecialType.System_Byte ? null : Unsupported(type);
        }

        if (HasAttribute(named, "MessagePack.UnionAttribute") && (named.TypeKind == TypeKind.Interface || named.IsAbstract))
        {
            return null;
        }

        var contract = HasAttribute(named, "MessagePack.MessagePackObjectAttribute") || HasAttribute(named, "System.Runtime.Serialization.DataContractAttribute");
        if (!contract || named.IsAbstract || named.TypeKind == TypeKind.Interface)
        {
            return Unsupported(type);
        }

        return visiting.Add(named) ? CheckMembers(named, visiting) : null;
    }

    private static string? CheckMembers(INamedTypeSymbol type, HashSet<ITypeSymbol> visiting)
    {
        var keyAsPropertyName = KeyAsPropertyName(type);
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var memberType = SerializedMemberType(member, keyAsPropertyName);
                if (memberType is not null && Check(memberType, visiting) is { } problem)
                {
                    return string.Format(CultureInfo.InvariantCulture, "member '{0}.{1}': {2}", type.Name, member.Name, problem);
                }
            }
        }

        return null;
    }

    /// <summary>The type of a member MessagePack serializes, or <see langword="null"/> for members it skips or formats itself.</summary>
    private static ITypeSymbol? SerializedMemberType(ISymbol member, bool keyAsPropertyName)
    {
        if (member.IsStatic || member.IsImplicitlyDeclared)
        {
            return null;
        }

        var type = member switch
        {
            IFieldSymbol { IsConst: false } field => field.Type,
            IPropertySymbol { IsIndexer: false } property => property.Type,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        var keyed = false;
        foreach (var attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass is not { } attributeClass)
            {
                continue;
            }

            if (HasFullName(attributeClass, "MessagePack.IgnoreMemberAttribute")
                || HasFullName(attributeClass, "System.Runtime.Serialization.IgnoreDataMemberAttribute")
                || HasFullName(attributeClass, "MessagePack.MessagePackFormatterAttribute"))
            {
                return null;
            }

            keyed |= HasFullName(attributeClass, "MessagePack.KeyAttribute") || HasFullName(attributeClass, "System.Runtime.Serialization.DataMemberAttribute");
        }

        return keyed || (keyAsPropertyName && member.DeclaredAccessibility == Accessibility.Public) ? type : null;
    }

    private static bool KeyAsPropertyName(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && HasFullName(attributeClass, "MessagePack.MessagePackObjectAttribute"))
            {
                foreach (var argument in attribute.ConstructorArguments)
                {
                    return argument.Value is true;
                }
            }
        }

        return false;
    }

    private static bool IsPrimitive(SpecialType type) => type is
        SpecialType.System_Boolean or SpecialType.System_Char or
        SpecialType.System_SByte or SpecialType.System_Byte or
        SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or
        SpecialType.System_Int64 or SpecialType.System_UInt64 or
        SpecialType.System_Single or SpecialType.System_Double or
        SpecialType.System_Decimal or SpecialType.System_String or SpecialType.System_DateTime;

    private static string Unsupported(ITypeSymbol type) =>
        string.Format(CultureInfo.InvariantCulture, "'{0}' is neither a type MessagePack handles natively nor marked [MessagePackObject]", type.ToDisplayString());

    private static bool HasAttribute(ISymbol symbol, string metadataName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && HasFullName(attributeClass, metadataName))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="type"/> is the top-level type <paramref name="fullName"/> (namespace and metadata name,
    /// e.g. <c>System.Collections.Generic.List`1</c>); compares name segments without allocating.
    /// </summary>
    internal static bool HasFullName(INamedTypeSymbol type, string fullName)
    {
        if (type.ContainingType is not null || !EndsWithSegment(fullName, fullName.Length, type.MetadataName, out var end))
        {
            return false;
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (end < 1 || fullName[end - 1] != '.' || !EndsWithSegment(fullName, end - 1, ns.Name, out end))
            {
                return false;
            }
        }

        return end == 0;
    }

    private static bool EndsWithSegment(string fullName, int end, string segment, out int start)
    {
        start = end - segment.Length;
        return start >= 0 && string.CompareOrdinal(fullName, start, segment, 0, segment.Length) == 0;
    }

    private static bool IsOneOf(INamedTypeSymbol type, Dictionary<string, string[]> byName)
    {
        if (byName.TryGetValue(type.MetadataName, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (HasFullName(type, candidate))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Dictionary<string, string[]> IndexByName(string[] fullNames)
    {
        var byName = new Dictionary<string, List<string>>();
        foreach (var fullName in fullNames)
        {
            var name = fullName.Substring(fullName.LastIndexOf('.') + 1);
            if (!byName.TryGetValue(name, out var list))
            {
                byName.Add(name, list = new List<string>());
            }

            list.Add(fullName);
        }

        var result = new Dictionary<string, string[]>();
        foreach (var pair in byName)
        {
            result.Add(pair.Key, pair.Value.ToArray());
        }

        return result;
    }
}
