using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Reads and checks a handler's flow control (<c>MaxConcurrency</c>, <c>MaxConcurrencyPerKey</c>, <c>RateLimit</c>,
/// <c>RateLimitWindow</c>, <c>Timeout</c>, <c>Priority</c> of <c>[ScheduledHandler]</c>) and its payload's
/// <c>[ConcurrencyKey]</c> member into a <see cref="FlowSpec"/>.
/// </summary>
internal static class FlowParser
{
    public const string ConcurrencyKeyAttributeName = "Athomic.Scheduler.ConcurrencyKeyAttribute";

    /// <summary>The highest priority; mirrors <c>Athomic.Scheduler.GenericTask.MaxPriority</c>.</summary>
    public const int MaxPriority = 1000;

    private const string PerKey = "MaxConcurrencyPerKey";
    private const string RateLimit = "RateLimit";
    private const string RateLimitWindow = "RateLimitWindow";
    private const string KeyAttributeShortName = "ConcurrencyKey";
    private const string KeyAttributeTypeName = "ConcurrencyKeyAttribute";

    private static readonly string[] Limits = { "MaxConcurrency", PerKey, RateLimit };

    /// <summary>Per compilation: the names of using aliases (in any file, global or not) of a type named <c>ConcurrencyKeyAttribute</c>.</summary>
    private static readonly ConditionalWeakTable<Compilation, HashSet<string>> KeyAliases = new();

    /// <summary>
    /// The flow spec, or <see langword="null"/> when the handler declares none or when it is invalid (errors go to
    /// <paramref name="diagnostics"/>, the unused-key warning to <paramref name="warnings"/>).
    /// </summary>
    public static FlowSpec? Parse(
        AttributeData attribute,
        AttributeSyntax? syntax,
        string display,
        ITypeSymbol? payload,
        PayloadShapes? shapes,
        LocationInfo? methodLocation,
        LocationInfo? payloadLocation,
        List<DiagnosticInfo> diagnostics,
        List<DiagnosticInfo> warnings)
    {
        var ints = new Dictionary<string, int>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Value.Value is int number)
            {
                ints[argument.Key] = number;
            }
            else if (argument.Value.Value is string text)
            {
                texts[argument.Key] = text;
            }
        }

        var count = diagnostics.Count;
        LocationInfo? At(string name) => LocationInfo.From(Symbols.NamedArgument(syntax, name)) ?? methodLocation;

        foreach (var limit in Limits)
        {
            if (ints.TryGetValue(limit, out var value) && value <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFlowLimit, At(limit), display, limit, Number(value)));
            }
        }

        var priority = ints.TryGetValue("Priority", out var p) ? p : 0;
        if (priority < 0 || priority > MaxPriority)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidPriority, At("Priority"), display, Number(priority)));
        }

        var window = Duration(texts, RateLimitWindow, display, At, diagnostics);
        var timeout = Duration(texts, "Timeout", display, At, diagnostics);
        if (ints.ContainsKey(RateLimit) != texts.ContainsKey(RateLimitWindow))
        {
            var (set, missing) = ints.ContainsKey(RateLimit) ? (RateLimit, RateLimitWindow) : (RateLimitWindow, RateLimit);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RateLimitWithoutWindow, At(set), display, set, missing));
        }

        var keys = payload is null ? new List<ISymbol>() : KeyMembers(payload);
        ConcurrencyKeySpec? key = null;
        if (ints.TryGetValue(PerKey, out var perKey))
        {
            if (perKey > 0)
            {
                key = Key(payload, shapes, keys, out var problem);
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoConcurrencyKey, At(PerKey), display, problem));
                }
            }
        }
        else if (keys.Count > 0)
        {
            warnings.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedConcurrencyKey, payloadLocation ?? methodLocation, payload!.ToDisplayString(), display, Members(keys)));
        }

        if (diagnostics.Count > count)
        {
            return null;
        }

        var flow = new FlowSpec(
            ints.TryGetValue("MaxConcurrency", out var max) ? max : 0,
            key is null ? 0 : perKey,
            ints.TryGetValue(RateLimit, out var rate) ? rate : 0,
            window ?? 0,
            timeout,
            priority,
            key);
        return flow == new FlowSpec(0, 0, 0, 0, null, 0, null) ? null : flow;
    }

    /// <summary>ATS030 for a <c>[ConcurrencyKey]</c> property or field of a type that cannot be a concurrency key, whether or not a handler uses it.</summary>
    public static DiagnosticInfo? CheckKeyMember(GeneratorAttributeSyntaxContext context) =>
        CheckKeyMember(context.TargetSymbol, context.Attributes.Length > 0 ? context.Attributes[0].ApplicationSyntaxReference?.GetSyntax() : null);

    /// <summary>
    /// Syntax only: an attribute in a <c>[property: …]</c> list of a parameter, the way a positional record marks its
    /// property (<c>ForAttributeWithMetadataName</c> sees the parameter, which does not carry the attribute).
    /// </summary>
    public static bool IsOnRecordParameter(SyntaxNode node) =>
        node is AttributeSyntax { Parent: AttributeListSyntax { Target.Identifier.ValueText: "property", Parent: ParameterSyntax } };

    /// <summary>ATS030 for <c>[property: ConcurrencyKey]</c> on a positional record parameter of a type that cannot be a concurrency key.</summary>
    /// <remarks>
    /// Binds only attributes that can name <c>ConcurrencyKeyAttribute</c>: binding every <c>[property: …]</c> attribute
    /// (each <c>[property: Key(n)]</c> of every payload record) was half the generator's time.
    /// </remarks>
    public static DiagnosticInfo? CheckKeyMember(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var attribute = (AttributeSyntax)context.Node;
        if (!MayNameKeyAttribute(attribute, context.SemanticModel.Compilation)
            || context.SemanticModel.GetSymbolInfo(attribute, cancellationToken).Symbol is not IMethodSymbol { ContainingType: { } attributeType }
            || !Symbols.HasFullName(attributeType, ConcurrencyKeyAttributeName)
            || context.SemanticModel.GetDeclaredSymbol((ParameterSyntax)attribute.Parent!.Parent!, cancellationToken) is not { ContainingType: { } record } parameter)
        {
            return null;
        }

        var property = record.GetMembers(parameter.Name).OfType<IPropertySymbol>().FirstOrDefault();
        return property is null ? null : CheckKeyMember(property, attribute);
    }

    /// <summary>
    /// Syntax only: whether <paramref name="attribute"/> can bind to <c>ConcurrencyKeyAttribute</c>: its rightmost name
    /// is <c>ConcurrencyKey</c> or <c>ConcurrencyKeyAttribute</c>, or is (with or without the <c>Attribute</c> suffix) a
    /// using alias of the compilation whose target ends in <c>ConcurrencyKeyAttribute</c>.
    /// </summary>
    private static bool MayNameKeyAttribute(AttributeSyntax attribute, Compilation compilation)
    {
        var name = RightmostName(attribute.Name);
        if (name is KeyAttributeShortName or KeyAttributeTypeName)
        {
            return true;
        }

        var aliases = KeyAliases.GetValue(compilation, static c => FindKeyAliases(c));
        return aliases.Count > 0 && (aliases.Contains(name) || aliases.Contains(name + "Attribute"));
    }

    private static HashSet<string> FindKeyAliases(Compilation compilation)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Add(SyntaxList<UsingDirectiveSyntax> usings)
        {
            foreach (var directive in usings)
            {
                if (directive.Alias is { } alias && directive.Name is { } target && RightmostName(target) == KeyAttributeTypeName)
                {
                    names.Add(alias.Name.Identifier.ValueText);
                }
            }
        }

        void Visit(SyntaxList<MemberDeclarationSyntax> members)
        {
            foreach (var member in members)
            {
                if (member is BaseNamespaceDeclarationSyntax ns)
                {
                    Add(ns.Usings);
                    Visit(ns.Members);
                }
            }
        }

        foreach (var tree in compilation.SyntaxTrees)
        {
            if (tree.GetRoot() is CompilationUnitSyntax unit)
            {
                Add(unit.Usings);
                Visit(unit.Members);
            }
        }

        return names;
    }

    private static string RightmostName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => string.Empty,
    };

    private static DiagnosticInfo? CheckKeyMember(ISymbol member, SyntaxNode? attribute)
    {
        if (KeyType(member) is not { } type || Classify(type) is not null)
        {
            return null;
        }

        return DiagnosticInfo.Create(DiagnosticDescriptors.InvalidConcurrencyKeyType, LocationInfo.From(attribute), Member(member), type.ToDisplayString());
    }

    /// <summary>A duration in ticks: null when not given (or invalid, reported as ATS027).</summary>
    private static long? Duration(Dictionary<string, string> texts, string name, string display, Func<string, LocationInfo?> at, List<DiagnosticInfo> diagnostics)
    {
        if (!texts.TryGetValue(name, out var text))
        {
            return null;
        }

        var problem = !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? "is not a TimeSpan"
            : value <= TimeSpan.Zero ? "is not positive"
            : value < TimeSpan.FromMilliseconds(1) ? "is shorter than 1 millisecond"
            : null;
        if (problem is null)
        {
            return value.Ticks;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidFlowDuration, at(name), display, name, text, problem));
        return null;
    }

    /// <summary>The one usable key member of <paramref name="payload"/>, or why there is none.</summary>
    private static ConcurrencyKeySpec? Key(ITypeSymbol? payload, PayloadShapes? shapes, List<ISymbol> keys, out string? problem)
    {
        problem = null;
        if (payload is null)
        {
            problem = "it takes no payload";
            return null;
        }

        var owner = "its payload type '" + payload.ToDisplayString() + "'";
        if (keys.Count != 1)
        {
            problem = keys.Count == 0
                ? owner + " has no member marked [ConcurrencyKey]"
                : owner + " has " + Number(keys.Count) + " members marked [ConcurrencyKey]: " + Members(keys);
            return null;
        }

        var member = keys[0];
        var type = KeyType(member)!;
        var name = Naming.EscapeIdentifier(member.Name);
        if (Classify(type) is not { } kind)
        {
            problem = "its [ConcurrencyKey] member '" + Member(member) + "' has the type '" + type.ToDisplayString() + "', which cannot be a concurrency key";
            return null;
        }

        if (!Readable(member, name, shapes))
        {
            problem = "its [ConcurrencyKey] member '" + Member(member) + "' is not a serialized public member, so every task would read the same key";
            return null;
        }

        var payloadCanBeNull = !payload.IsValueType || IsNullableValue(payload, out _);
        return new ConcurrencyKeySpec(name, kind.Kind, kind.IsNullable, payloadCanBeNull, kind.Underlying);
    }

    /// <summary>Whether the decoded payload carries the member: a written member of a generated object formatter, else a public one.</summary>
    private static bool Readable(ISymbol member, string name, PayloadShapes? shapes)
    {
        var root = shapes?.Shapes.FirstOrDefault(s => s.Id == shapes.RootId);
        if (root is { Kind: ShapeKind.Nullable })
        {
            root = shapes!.Shapes.FirstOrDefault(s => s.Id == root.Arguments[0]);
        }

        if (root?.Object is { } shape)
        {
            return shape.Members.Any(m => m.Name == name && m.Readable);
        }

        return member.DeclaredAccessibility == Accessibility.Public
            && member is not IPropertySymbol { GetMethod: not { DeclaredAccessibility: Accessibility.Public } };
    }

    /// <summary>The instance properties and fields marked <c>[ConcurrencyKey]</c> of a payload type, its base types and (for an interface) the interfaces it extends.</summary>
    private static List<ISymbol> KeyMembers(ITypeSymbol payload)
    {
        var found = new List<ISymbol>();
        var type = IsNullableValue(payload, out var inner) ? inner : payload;
        if (type is not INamedTypeSymbol { SpecialType: SpecialType.None, TypeKind: TypeKind.Class or TypeKind.Struct or TypeKind.Interface } named)
        {
            return found;
        }

        var chain = new List<INamedTypeSymbol>();
        for (var current = named; current is not null; current = current.BaseType)
        {
            chain.Add(current);
        }

        if (named.TypeKind == TypeKind.Interface)
        {
            chain.AddRange(named.AllInterfaces);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in chain.SelectMany(t => t.GetMembers()))
        {
            if (!member.IsStatic && KeyType(member) is not null && Symbols.HasAttribute(member, ConcurrencyKeyAttributeName) && names.Add(member.Name))
            {
                found.Add(member);
            }
        }

        return found;
    }

    private static ITypeSymbol? KeyType(ISymbol member) => member switch
    {
        IPropertySymbol property => property.Type,
        IFieldSymbol field => field.Type,
        _ => null,
    };

    /// <summary>How a key of <paramref name="type"/> is formatted, or <see langword="null"/> when it cannot be a key.</summary>
    private static (ConcurrencyKeyKind Kind, bool IsNullable, string? Underlying)? Classify(ITypeSymbol type)
    {
        var nullable = IsNullableValue(type, out var inner);
        var value = nullable ? inner : type;
        if (value.SpecialType == SpecialType.System_String)
        {
            return (ConcurrencyKeyKind.String, true, null);
        }

        if (IsInteger(value.SpecialType))
        {
            return (ConcurrencyKeyKind.Integer, nullable, null);
        }

        if (value is INamedTypeSymbol named && Symbols.HasFullName(named, "System.Guid"))
        {
            return (ConcurrencyKeyKind.Guid, nullable, null);
        }

        if (value is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return (ConcurrencyKeyKind.Enum, nullable, underlying.ToDisplayString());
        }

        return null;
    }

    private static bool IsInteger(SpecialType type) => type is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16 or
        SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64;

    private static bool IsNullableValue(ITypeSymbol type, out ITypeSymbol inner)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            inner = nullable.TypeArguments[0];
            return true;
        }

        inner = type;
        return false;
    }

    private static string Member(ISymbol member) => member.ContainingType.ToDisplayString() + "." + member.Name;

    private static string Members(List<ISymbol> members) => string.Join(", ", members.Select(m => "'" + Member(m) + "'"));

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
