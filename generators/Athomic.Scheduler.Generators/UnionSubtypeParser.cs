using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Finds the concrete classes and structs of the compilation with base types, as <see cref="UnionSubtype"/>s: a subtype
/// of a payload's <c>[Union]</c> type that is not one of its cases is written as nil (ATS032).
/// </summary>
internal static class UnionSubtypeParser
{
    /// <summary>Syntax only: a class, struct or record declaration with a base list.</summary>
    public static bool IsCandidate(SyntaxNode node) => node is TypeDeclarationSyntax { BaseList: not null } and not InterfaceDeclarationSyntax;

    /// <summary>The declared type, or <see langword="null"/> when no value of it can exist (abstract, static) or it is generic.</summary>
    public static UnionSubtype? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var declaration = (TypeDeclarationSyntax)context.Node;
        if (context.SemanticModel.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type
            || type.IsAbstract
            || type.IsStatic
            || IsGeneric(type))
        {
            return null;
        }

        var baseClasses = new List<string>();
        for (var current = type.BaseType; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
        {
            baseClasses.Add(Symbols.IdOf(current));
        }

        return new UnionSubtype(
            Symbols.IdOf(type),
            type.ToDisplayString(),
            new EquatableArray<string>(baseClasses),
            new EquatableArray<string>(type.AllInterfaces.Select(Symbols.IdOf)),
            LocationInfo.From(declaration.Identifier));
    }

    private static bool IsGeneric(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.TypeParameters.Length > 0)
            {
                return true;
            }
        }

        return false;
    }
}
