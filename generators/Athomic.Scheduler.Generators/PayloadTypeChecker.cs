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
    private const int MaxArrayRank = 4;

    private static readonly Dictionary<string, string[]> Native = IndexByName(KnownTypes.NativeTypes);
    private static readonly Dictionary<string, string[]> NativeGeneric = IndexByName(KnownTypes.NativeGenericTypes);
    private static readonly Dictionary<string, string[]> NativeByte = IndexByName(KnownTypes.NativeByteTypes);

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

        if (named.TypeKind == TypeKind.Enum || Symbols.HasAttribute(named, "MessagePack.MessagePackFormatterAttribute"))
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

        if (Symbols.HasAttribute(named, "MessagePack.UnionAttribute") && (named.TypeKind == TypeKind.Interface || named.IsAbstract))
        {
            return null;
        }

        var contract = Symbols.HasAttribute(named, "MessagePack.MessagePackObjectAttribute") || Symbols.HasAttribute(named, "System.Runtime.Serialization.DataContractAttribute");
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

            if (Symbols.HasFullName(attributeClass, "MessagePack.IgnoreMemberAttribute")
                || Symbols.HasFullName(attributeClass, "System.Runtime.Serialization.IgnoreDataMemberAttribute")
                || Symbols.HasFullName(attributeClass, "MessagePack.MessagePackFormatterAttribute"))
            {
                return null;
            }

            keyed |= Symbols.HasFullName(attributeClass, "MessagePack.KeyAttribute") || Symbols.HasFullName(attributeClass, "System.Runtime.Serialization.DataMemberAttribute");
        }

        return keyed || (keyAsPropertyName && member.DeclaredAccessibility == Accessibility.Public) ? type : null;
    }

    private static bool KeyAsPropertyName(INamedTypeSymbol type)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && Symbols.HasFullName(attributeClass, "MessagePack.MessagePackObjectAttribute"))
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

    private static bool IsOneOf(INamedTypeSymbol type, Dictionary<string, string[]> byName)
    {
        if (byName.TryGetValue(type.MetadataName, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (Symbols.HasFullName(type, candidate))
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
