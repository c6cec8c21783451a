using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Generators;

/// <summary>Symbol and attribute helpers shared by the parsers: ids, full names, attributes and attribute arguments.</summary>
internal static class Symbols
{
    /// <summary>A type's shape id: its fully qualified name without a nullable annotation.</summary>
    public static string IdOf(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    /// <summary>Whether <paramref name="symbol"/> carries the attribute <paramref name="fullName"/>.</summary>
    public static bool HasAttribute(ISymbol symbol, string fullName) => FindAttribute(symbol, fullName) is not null;

    /// <summary>The attribute <paramref name="fullName"/> on <paramref name="symbol"/>, or <see langword="null"/>.</summary>
    public static AttributeData? FindAttribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && HasFullName(attributeClass, fullName))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether <paramref name="type"/> is the top-level type <paramref name="fullName"/> (namespace and metadata name,
    /// e.g. <c>System.Collections.Generic.List`1</c>); compares name segments without allocating.
    /// </summary>
    public static bool HasFullName(INamedTypeSymbol type, string fullName)
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

    /// <summary>The first positional argument of an attribute's syntax, or <see langword="null"/>.</summary>
    public static AttributeArgumentSyntax? PositionalArgument(AttributeSyntax? syntax)
    {
        foreach (var argument in syntax?.ArgumentList?.Arguments ?? default)
        {
            if (argument.NameEquals is null)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The named argument <paramref name="name"/> of an attribute's syntax, or <see langword="null"/>.</summary>
    public static AttributeArgumentSyntax? NamedArgument(AttributeSyntax? syntax, string name)
    {
        foreach (var argument in syntax?.ArgumentList?.Arguments ?? default)
        {
            if (argument.NameEquals?.Name.Identifier.ValueText == name)
            {
                return argument;
            }
        }

        return null;
    }
}
