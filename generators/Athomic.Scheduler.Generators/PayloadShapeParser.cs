using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Resolves a payload type into <see cref="TypeShape"/>s: the layout MessagePack 2.x's standard resolver gives each
/// type (built-in formatters, enums, nullable values, arrays, lists, sets, dictionaries and <c>[MessagePackObject]</c>
/// types with the dynamic object resolver's member, key and constructor rules), so the generated formatters write the
/// same bytes.
/// </summary>
internal sealed class PayloadShapeParser
{
    private const string ListType = "global::System.Collections.Generic.List<{0}>";
    private const string SetType = "global::System.Collections.Generic.HashSet<{0}>";
    private const string ArrayType = "{0}[]";
    private const string DictionaryType = "global::System.Collections.Generic.Dictionary<{0}, {1}>";

    private static readonly Dictionary<string, string> Collections = new()
    {
        ["System.Collections.Generic.List`1"] = ListType,
        ["System.Collections.Generic.IList`1"] = ListType,
        ["System.Collections.Generic.ICollection`1"] = ListType,
        // MessagePack's interface formatters for these three decode to arrays (InterfaceEnumerableFormatter and friends).
        ["System.Collections.Generic.IEnumerable`1"] = ArrayType,
        ["System.Collections.Generic.IReadOnlyList`1"] = ArrayType,
        ["System.Collections.Generic.IReadOnlyCollection`1"] = ArrayType,
        ["System.Collections.Generic.HashSet`1"] = SetType,
        ["System.Collections.Generic.ISet`1"] = SetType,
        ["System.Collections.Generic.IReadOnlySet`1"] = SetType,
        ["System.Collections.Generic.Dictionary`2"] = DictionaryType,
        ["System.Collections.Generic.IDictionary`2"] = DictionaryType,
        ["System.Collections.Generic.IReadOnlyDictionary`2"] = DictionaryType,
    };

    private readonly Dictionary<string, TypeShape> _shapes = new(System.StringComparer.Ordinal);
    private readonly List<string> _unformattable = new();
    private readonly List<string> _violations = new();

    private PayloadShapeParser()
    {
    }

    /// <summary>The shapes of <paramref name="payload"/>.</summary>
    public static PayloadShapes Parse(ITypeSymbol payload)
    {
        var parser = new PayloadShapeParser();
        var root = parser.Visit(payload, "the payload");
        var shapes = new TypeShape[parser._shapes.Count];
        parser._shapes.Values.CopyTo(shapes, 0);
        System.Array.Sort(shapes, static (x, y) => string.CompareOrdinal(x.Id, y.Id)); // ids are unique: the order is total
        return new PayloadShapes(root, new EquatableArray<TypeShape>(shapes), new EquatableArray<string>(parser._unformattable), new EquatableArray<string>(parser._violations));
    }

    /// <summary>The shape id of a type, as the formatter code names it.</summary>
    /// <summary>How many rule violations were found so far (an object parser compares it before and after a step).</summary>
    internal int ViolationCount => _violations.Count;

    internal void AddViolation(string violation) => _violations.Add(violation);

    internal void AddUnformattable(string reason) => _unformattable.Add(reason);

    internal string Visit(ITypeSymbol type, string where)
    {
        var id = Symbols.IdOf(type);
        if (_shapes.ContainsKey(id))
        {
            return id;
        }

        var display = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString();
        if (PrimitiveReader(type.SpecialType) is { } reader)
        {
            return Add(new TypeShape(id, ShapeKind.Primitive, reader, EquatableArray<string>.Empty, type.IsValueType, null, display));
        }

        if (type is IArrayTypeSymbol array)
        {
            if (array.Rank == 1 && array.ElementType.SpecialType == SpecialType.System_Byte)
            {
                return Add(new TypeShape(id, ShapeKind.Builtin, "ByteArrayFormatter", EquatableArray<string>.Empty, false, null, display));
            }

            if (array.Rank != 1)
            {
                return Dynamic(id, display, where, "multi-dimensional arrays have no generated formatter");
            }

            _shapes[id] = Placeholder(id, display);
            var element = Visit(array.ElementType, "an element of " + where);
            return Add(new TypeShape(id, ShapeKind.Array, null, new EquatableArray<string>(new[] { element }), false, null, display));
        }

        if (type is not INamedTypeSymbol named)
        {
            return Dynamic(id, display, where, "'" + display + "' has no generated formatter");
        }

        if (named.TypeKind == TypeKind.Enum)
        {
            return Add(new TypeShape(id, ShapeKind.Enum, PrimitiveReader(named.EnumUnderlyingType!.SpecialType), EquatableArray<string>.Empty, true, null, display));
        }

        var definition = FullName(named.OriginalDefinition);
        if (definition == "System.Nullable`1")
        {
            _shapes[id] = Placeholder(id, display);
            var value = Visit(named.TypeArguments[0], where);
            return Add(new TypeShape(id, ShapeKind.Nullable, null, new EquatableArray<string>(new[] { value }), true, null, display));
        }

        if (KnownTypes.BuiltinFormatter(definition) is { } formatter)
        {
            return Add(new TypeShape(id, ShapeKind.Builtin, formatter, EquatableArray<string>.Empty, type.IsValueType, null, display));
        }

        if (Collections.TryGetValue(definition, out var concrete))
        {
            _shapes[id] = Placeholder(id, display);
            var arguments = new string[named.TypeArguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                arguments[i] = Visit(named.TypeArguments[i], "an element of " + where);
            }

            var kind = arguments.Length == 2 ? ShapeKind.Dictionary : ShapeKind.Collection;
            var detail = string.Format(CultureInfo.InvariantCulture, concrete, (object[])arguments);
            return Add(new TypeShape(id, kind, detail, new EquatableArray<string>(arguments), false, null, display));
        }

        if (Symbols.HasAttribute(named, "MessagePack.UnionAttribute"))
        {
            return VisitUnion(named, id, display, where);
        }

        if (!Symbols.HasAttribute(named, "MessagePack.MessagePackObjectAttribute"))
        {
            var what = Symbols.HasAttribute(named, "MessagePack.MessagePackFormatterAttribute") ? "types with a custom [MessagePackFormatter]"
                : Symbols.HasAttribute(named, "System.Runtime.Serialization.DataContractAttribute") ? "[DataContract] types"
                : "'" + named.OriginalDefinition.ToDisplayString() + "'";
            return Dynamic(id, display, where, what + " have no generated formatter");
        }

        if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct) || named.IsAbstract)
        {
            return Dynamic(id, display, where, "abstract [MessagePackObject] types have no generated formatter");
        }

        if (Symbols.HasAttribute(named, "MessagePack.MessagePackFormatterAttribute"))
        {
            return Dynamic(id, display, where, "types with a custom [MessagePackFormatter] have no generated formatter");
        }

        if (!IsAccessible(named))
        {
            return Dynamic(id, display, where, "'" + display + "' is private or protected, so generated code cannot create it; make it public or internal");
        }

        _shapes[id] = Placeholder(id, display);
        var shape = new ObjectShapeParser(this, named, display).Parse();
        if (shape is null)
        {
            _shapes.Remove(id);
            return Dynamic(id, display, where, null);
        }

        return Add(new TypeShape(id, ShapeKind.Object, null, EquatableArray<string>.Empty, named.IsValueType, shape, display));
    }

    /// <summary>
    /// A <c>[Union(key, typeof(Case))]</c> interface or abstract class, with the rules MessagePack's dynamic union
    /// resolver enforces when it builds the formatter (each broken one is an ATS024 violation).
    /// </summary>
    private string VisitUnion(INamedTypeSymbol named, string id, string display, string where)
    {
        var cases = new List<(int Key, ITypeSymbol Type)>();
        foreach (var attribute in named.GetAttributes().Where(a => a.AttributeClass is { } c && FullName(c) == "MessagePack.UnionAttribute"))
        {
            if (attribute.ConstructorArguments.Length != 2 || attribute.ConstructorArguments[0].Value is not int key ||
                attribute.ConstructorArguments[1].Value is not ITypeSymbol caseType)
            {
                return Dynamic(id, display, where, "[Union] cases named by a string have no generated formatter");
            }

            cases.Add((key, caseType));
        }

        // A case that is not a subtype: MessagePack hands out the case object typed as the union, which C# cannot do.
        foreach (var (key, caseType) in cases.Where(c => !DerivesFrom(c.Type, named)))
        {
            return Dynamic(id, display, where, "the [Union] case '" + caseType.ToDisplayString() + "' (key " + key.ToString(CultureInfo.InvariantCulture) + ") does not " +
                (named.TypeKind == TypeKind.Interface ? "implement" : "derive from") + " '" + named.ToDisplayString() + "', so no formatter can return it as one");
        }

        // (A concrete class with [Union] is ATS012: MessagePack's union resolver takes only interfaces and abstract classes.)
        var type = named.ToDisplayString();

        foreach (var duplicate in cases.GroupBy(c => c.Key).Where(g => g.Count() > 1))
        {
            _violations.Add("'" + type + "' has the [Union] key " + duplicate.Key.ToString(CultureInfo.InvariantCulture) + " twice; give every case its own key");
        }

        foreach (var duplicate in cases.GroupBy(c => Symbols.IdOf(c.Type)).Where(g => g.Count() > 1))
        {
            _violations.Add("'" + type + "' lists the [Union] case '" + duplicate.First().Type.ToDisplayString() + "' twice; list every case once");
        }

        // The cases the formatter handles: each key and type once.
        var valid = cases
            .GroupBy(c => c.Key).Select(g => g.First())
            .GroupBy(c => Symbols.IdOf(c.Type)).Select(g => g.First())
            .ToList();
        _shapes[id] = Placeholder(id, display);
        var ids = valid.Select(c => Visit(c.Type, "union case " + c.Key.ToString(CultureInfo.InvariantCulture) + " of " + where)).ToArray();
        var keys = string.Join(",", valid.Select(c => c.Key.ToString(CultureInfo.InvariantCulture)));
        return Add(new TypeShape(id, ShapeKind.Union, keys, new EquatableArray<string>(ids), false, null, display));
    }

    private static bool DerivesFrom(ITypeSymbol candidate, INamedTypeSymbol union)
    {
        if (union.TypeKind == TypeKind.Interface)
        {
            return candidate.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, union));
        }

        for (var type = candidate.BaseType; type is not null; type = type.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(type, union))
            {
                return true;
            }
        }

        return false;
    }

    private string Add(TypeShape shape)
    {
        _shapes[shape.Id] = shape;
        return shape.Id;
    }

    private string Dynamic(string id, string display, string where, string? reason)
    {
        if (reason is not null)
        {
            _unformattable.Add(where + ": " + reason);
        }

        return Add(new TypeShape(id, ShapeKind.Dynamic, null, EquatableArray<string>.Empty, false, null, display));
    }

    private static TypeShape Placeholder(string id, string display) =>
        new(id, ShapeKind.Dynamic, null, EquatableArray<string>.Empty, false, null, display);

    private static string? PrimitiveReader(SpecialType type) => type switch
    {
        SpecialType.System_Boolean => "Boolean",
        SpecialType.System_Char => "Char",
        SpecialType.System_SByte => "SByte",
        SpecialType.System_Byte => "Byte",
        SpecialType.System_Int16 => "Int16",
        SpecialType.System_UInt16 => "UInt16",
        SpecialType.System_Int32 => "Int32",
        SpecialType.System_UInt32 => "UInt32",
        SpecialType.System_Int64 => "Int64",
        SpecialType.System_UInt64 => "UInt64",
        SpecialType.System_Single => "Single",
        SpecialType.System_Double => "Double",
        SpecialType.System_String => "String",
        SpecialType.System_DateTime => "DateTime",
        _ => null,
    };

    internal static string FullName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
        return type.ContainingType is null ? ns + type.MetadataName : FullName(type.ContainingType) + "+" + type.MetadataName;
    }

    internal static bool IsAccessible(INamedTypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol t; current = t.ContainingType)
        {
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }
}
