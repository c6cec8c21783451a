using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>What <see cref="PayloadShapeParser"/> found for one payload type.</summary>
/// <param name="RootId">The payload type's shape id.</param>
/// <param name="Shapes">Every shape reachable from the payload, sorted by id.</param>
/// <param name="Unformattable">Why parts of the payload have no generated formatter (each becomes a <see cref="ShapeKind.Dynamic"/> shape).</param>
/// <param name="RuleViolations">MessagePack rules the payload's <c>[MessagePackObject]</c> types break; each fails at run time under any resolver.</param>
internal sealed record PayloadShapes(string RootId, EquatableArray<TypeShape> Shapes, EquatableArray<string> Unformattable, EquatableArray<string> RuleViolations);

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

    private static readonly Dictionary<string, string> Builtins = new()
    {
        ["System.Decimal"] = "DecimalFormatter",
        ["System.Guid"] = "GuidFormatter",
        ["System.DateTimeOffset"] = "DateTimeOffsetFormatter",
        ["System.TimeSpan"] = "TimeSpanFormatter",
        ["System.Uri"] = "UriFormatter",
        ["System.Version"] = "VersionFormatter",
        ["System.DateOnly"] = "DateOnlyFormatter",
        ["System.TimeOnly"] = "TimeOnlyFormatter",
        ["System.Half"] = "HalfFormatter",
        ["System.Numerics.BigInteger"] = "BigIntegerFormatter",
        ["System.Numerics.Complex"] = "ComplexFormatter",
        ["System.Text.StringBuilder"] = "StringBuilderFormatter",
        ["System.Collections.BitArray"] = "BitArrayFormatter",
    };

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
        var shapes = parser._shapes.Values.OrderBy(s => s.Id, System.StringComparer.Ordinal).ToArray();
        return new PayloadShapes(root, new EquatableArray<TypeShape>(shapes), new EquatableArray<string>(parser._unformattable), new EquatableArray<string>(parser._violations));
    }

    /// <summary>The shape id of a type, as the formatter code names it.</summary>
    public static string IdOf(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    private string Visit(ITypeSymbol type, string where)
    {
        var id = IdOf(type);
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

        if (Builtins.TryGetValue(definition, out var formatter))
        {
            return Add(new TypeShape(id, ShapeKind.Builtin, formatter, EquatableArray<string>.Empty, type.IsValueType, null, display));
        }

        if (Collections.TryGetValue(definition, out var concrete))
        {
            _shapes[id] = Placeholder(id, display);
            var arguments = named.TypeArguments.Select(a => Visit(a, "an element of " + where)).ToArray();
            var kind = arguments.Length == 2 ? ShapeKind.Dictionary : ShapeKind.Collection;
            var detail = string.Format(CultureInfo.InvariantCulture, concrete, arguments.Cast<object>().ToArray());
            return Add(new TypeShape(id, kind, detail, new EquatableArray<string>(arguments), false, null, display));
        }

        if (HasAttribute(named, "MessagePack.UnionAttribute"))
        {
            return VisitUnion(named, id, display, where);
        }

        if (!HasAttribute(named, "MessagePack.MessagePackObjectAttribute"))
        {
            var what = HasAttribute(named, "MessagePack.MessagePackFormatterAttribute") ? "types with a custom [MessagePackFormatter]"
                : HasAttribute(named, "System.Runtime.Serialization.DataContractAttribute") ? "[DataContract] types"
                : "'" + named.OriginalDefinition.ToDisplayString() + "'";
            return Dynamic(id, display, where, what + " have no generated formatter");
        }

        if (named.TypeKind is not (TypeKind.Class or TypeKind.Struct) || named.IsAbstract)
        {
            return Dynamic(id, display, where, "abstract [MessagePackObject] types have no generated formatter");
        }

        if (HasAttribute(named, "MessagePack.MessagePackFormatterAttribute"))
        {
            return Dynamic(id, display, where, "types with a custom [MessagePackFormatter] have no generated formatter");
        }

        if (!IsAccessible(named))
        {
            return Dynamic(id, display, where, "'" + display + "' is private or protected, so generated code cannot create it; make it public or internal");
        }

        _shapes[id] = Placeholder(id, display);
        var shape = new ObjectParser(this, named, display).Parse();
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

        foreach (var duplicate in cases.GroupBy(c => IdOf(c.Type)).Where(g => g.Count() > 1))
        {
            _violations.Add("'" + type + "' lists the [Union] case '" + duplicate.First().Type.ToDisplayString() + "' twice; list every case once");
        }

        // The cases the formatter handles: each key and type once.
        var valid = cases
            .GroupBy(c => c.Key).Select(g => g.First())
            .GroupBy(c => IdOf(c.Type)).Select(g => g.First())
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

    private static string FullName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : string.Empty;
        return type.ContainingType is null ? ns + type.MetadataName : FullName(type.ContainingType) + "+" + type.MetadataName;
    }

    private static bool IsAccessible(INamedTypeSymbol type)
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

    internal static bool HasAttribute(ISymbol symbol, string fullName) => FindAttribute(symbol, fullName) is not null;

    internal static AttributeData? FindAttribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && PayloadTypeChecker.HasFullName(attributeClass, fullName))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>One <c>[MessagePackObject]</c> type: its members, keys and constructor, with the dynamic resolver's rules.</summary>
    private sealed class ObjectParser
    {
        private readonly PayloadShapeParser _owner;
        private readonly INamedTypeSymbol _type;
        private readonly string _display;
        private readonly List<Candidate> _members = new();

        public ObjectParser(PayloadShapeParser owner, INamedTypeSymbol type, string display)
        {
            _owner = owner;
            _type = type;
            _display = display;
        }

        public ObjectShape? Parse()
        {
            var keyAsPropertyName = FindAttribute(_type, "MessagePack.MessagePackObjectAttribute") is { } contract
                && contract.ConstructorArguments.Length > 0 && contract.ConstructorArguments[0].Value is true;
            var violations = _owner._violations.Count;
            var intKeys = keyAsPropertyName ? CollectByName() : CollectKeyed();
            if (_owner._violations.Count > violations)
            {
                return null;
            }

            var constructor = FindConstructor(intKeys, out var arguments);
            if (_owner._violations.Count > violations)
            {
                return null;
            }

            var inConstructor = new HashSet<Candidate>(arguments);
            var required = constructor is not null && HasAttribute(constructor, "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute");
            var kept = _members.Where(m => !keyAsPropertyName || inConstructor.Contains(m) || m.Writable).ToList();
            if (intKeys)
            {
                kept = kept.OrderBy(m => m.IntKey).ToList();
            }

            var members = new List<MemberShape>();
            foreach (var member in kept)
            {
                var assignment = inConstructor.Contains(member) || !member.Writable ? MemberAssignment.None
                    : member.Symbol is IPropertySymbol { IsRequired: true } && !required ? MemberAssignment.Required
                    : member.Symbol is IPropertySymbol { SetMethod.IsInitOnly: true } ? MemberAssignment.InitAccessor
                    : MemberAssignment.Set;
                if (assignment == MemberAssignment.InitAccessor && _type.IsGenericType)
                {
                    _owner._unformattable.Add("member '" + _display + "." + member.Symbol.Name + "': init-only properties of generic types have no generated formatter; pass the value to the constructor");
                    return null;
                }

                var typeId = _owner.Visit(member.Type, "member '" + _display + "." + member.Symbol.Name + "'");
                members.Add(new MemberShape(Naming.EscapeIdentifier(member.Symbol.Name), member.IntKey, intKeys ? null : member.StringKey, typeId, member.Readable, assignment));
            }

            var indexes = arguments.Select(a => kept.IndexOf(a)).ToArray();
            var callbacks = _type.AllInterfaces.Any(i => PayloadTypeChecker.HasFullName(i, "MessagePack.IMessagePackSerializationCallbackReceiver"));
            return new ObjectShape(intKeys, new EquatableArray<MemberShape>(members), new EquatableArray<int>(indexes), constructor is not null, callbacks);
        }

        /// <summary>Members with <c>[Key]</c>: properties base type first, then fields base type first (as the dynamic resolver).</summary>
        private bool CollectKeyed()
        {
            var chain = BaseFirst();
            var members = chain.SelectMany(t => t.GetMembers().OfType<IPropertySymbol>()).Cast<ISymbol>()
                .Concat(chain.SelectMany(t => t.GetMembers().OfType<IFieldSymbol>()));
            bool? intKeys = null;
            string? firstMember = null;
            var byKey = new Dictionary<string, string>(System.StringComparer.Ordinal);
            var position = 0;
            foreach (var symbol in members)
            {
                if (Serializable(symbol) is not { } candidate)
                {
                    continue;
                }

                var name = _display + "." + symbol.Name;
                if (FindAttribute(symbol, "MessagePack.KeyAttribute") is not { } key || key.ConstructorArguments.Length == 0)
                {
                    Violation(name, "has no [Key]", "add [Key(n)] (or [Key(\"name\")]), or [IgnoreMember] to leave it out");
                    continue;
                }

                var value = key.ConstructorArguments[0].Value;
                if (value is null)
                {
                    Violation(name, "has [Key(null)]", "give it an integer or a non-null string key");
                    continue;
                }

                var isInt = value is int;
                if (intKeys is null)
                {
                    intKeys = isInt;
                    firstMember = symbol.Name;
                }
                else if (intKeys != isInt)
                {
                    Violation(name, "has " + (isInt ? "an integer" : "a string") + " key while '" + firstMember + "' has " + (isInt ? "a string" : "an integer") + " key", "use one kind of key for every member of the type");
                    continue;
                }

                if (value is int number && number < 0)
                {
                    Violation(name, "has the negative key " + number.ToString(CultureInfo.InvariantCulture), "integer keys are array indexes, so use 0 or more");
                    continue;
                }

                var keyText = isInt ? ((int)value).ToString(CultureInfo.InvariantCulture) : "\"" + (string)value + "\"";
                if (byKey.TryGetValue(keyText, out var other))
                {
                    Violation(name, "has the key " + keyText + ", already used by '" + other + "'", "give every member its own key");
                    continue;
                }

                byKey.Add(keyText, symbol.Name);
                candidate.IntKey = isInt ? (int)value : position++;
                candidate.StringKey = isInt ? null : (string)value;
                _members.Add(candidate);
            }

            return intKeys ?? true;
        }

        /// <summary><c>[MessagePackObject(true)]</c>: public members by name; per type, base type first, properties then fields.</summary>
        private bool CollectByName()
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            var position = 0;
            foreach (var type in BaseFirst())
            {
                foreach (var symbol in type.GetMembers().OfType<IPropertySymbol>().Cast<ISymbol>().Concat(type.GetMembers().OfType<IFieldSymbol>()))
                {
                    if (Serializable(symbol) is not { } candidate)
                    {
                        continue;
                    }

                    candidate.StringKey = names.Add(symbol.Name) ? symbol.Name : FullName(symbol.ContainingType).Replace('+', '.') + "." + symbol.Name;
                    candidate.IntKey = position++;
                    _members.Add(candidate);
                }
            }

            return false;
        }

        /// <summary>A member the dynamic resolver considers: public (readable or writable), not ignored, not static.</summary>
        private Candidate? Serializable(ISymbol symbol)
        {
            if (symbol.IsStatic
                || HasAttribute(symbol, "MessagePack.IgnoreMemberAttribute")
                || HasAttribute(symbol, "System.Runtime.Serialization.IgnoreDataMemberAttribute")
                || HasAttribute(symbol, "System.NonSerializedAttribute"))
            {
                return null;
            }

            switch (symbol)
            {
                case IPropertySymbol property when !property.IsIndexer && !property.IsOverride && !(_type.IsRecord && property.Name == "EqualityContract"):
                    var readable = property.GetMethod is { DeclaredAccessibility: Accessibility.Public };
                    var writable = property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                    return readable || writable ? new Candidate(property, property.Type, readable, writable) : null;
                case IFieldSymbol field when !field.IsImplicitlyDeclared && !field.IsConst && field.DeclaredAccessibility == Accessibility.Public:
                    return new Candidate(field, field.Type, true, !field.IsReadOnly);
                default:
                    return null;
            }
        }

        /// <summary>The constructor the dynamic resolver picks: the one marked <c>[SerializationConstructor]</c>, else the public one with the most parameters that all match members.</summary>
        private IMethodSymbol? FindConstructor(bool intKeys, out List<Candidate> arguments)
        {
            arguments = new List<Candidate>();
            var declared = _type.InstanceConstructors.Where(c => !(_type.IsValueType && c.IsImplicitlyDeclared)).ToList();
            var marked = declared.Where(c => HasAttribute(c, "MessagePack.SerializationConstructorAttribute")).ToList();
            if (marked.Count > 1)
            {
                Violation(_display, "has " + marked.Count.ToString(CultureInfo.InvariantCulture) + " constructors marked [SerializationConstructor]", "mark one");
                return null;
            }

            var candidates = marked.Count == 1 ? marked
                : declared.Where(c => c.DeclaredAccessibility == Accessibility.Public).OrderByDescending(c => c.Parameters.Length).ToList();
            if (candidates.Count == 0)
            {
                if (!_type.IsValueType)
                {
                    Violation(_display, "has no public constructor", "add one, or mark one [SerializationConstructor]");
                }

                return null;
            }

            var sorted = intKeys ? _members.OrderBy(m => m.IntKey).ToList() : _members;
            string? mismatch = null;
            foreach (var constructor in candidates)
            {
                arguments.Clear();
                mismatch = null;
                for (var i = 0; i < constructor.Parameters.Length && mismatch is null; i++)
                {
                    var parameter = constructor.Parameters[i];
                    var member = intKeys
                        ? (i < sorted.Count ? sorted[i] : null)
                        : sorted.FirstOrDefault(m => string.Equals(m.StringKey, parameter.Name, System.StringComparison.OrdinalIgnoreCase))
                          ?? sorted.FirstOrDefault(m => string.Equals(m.Symbol.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase));
                    if (member is null)
                    {
                        mismatch = "parameter '" + parameter.Name + "' matches no member" + (intKeys ? " (with integer keys, parameter " + i.ToString(CultureInfo.InvariantCulture) + " takes the member with the " + Ordinal(i) + " smallest key)" : " by key or name");
                    }
                    else if (!member.Readable || !Assignable(member.Type, parameter.Type))
                    {
                        mismatch = "parameter '" + parameter.Name + "' has the type '" + parameter.Type.ToDisplayString() + "' but its member '" + member.Symbol.Name + "' is '" + member.Type.ToDisplayString() + "'";
                    }
                    else
                    {
                        arguments.Add(member);
                    }
                }

                if (mismatch is null)
                {
                    return constructor;
                }

                if (marked.Count == 1)
                {
                    break;
                }
            }

            Violation(_display, "has no constructor MessagePack can call: " + mismatch, "add a constructor whose parameters match the keyed members (integer keys: in key order; string keys: by name), a parameterless one, or mark one [SerializationConstructor]");
            arguments.Clear();
            return null;
        }

        private static string Ordinal(int index) => index switch
        {
            0 => "1st",
            1 => "2nd",
            2 => "3rd",
            _ => (index + 1).ToString(CultureInfo.InvariantCulture) + "th",
        };

        private static bool Assignable(ITypeSymbol from, ITypeSymbol to)
        {
            if (SymbolEqualityComparer.Default.Equals(from, to) || to.SpecialType == SpecialType.System_Object)
            {
                return true;
            }

            for (var current = from.BaseType; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, to))
                {
                    return true;
                }
            }

            return from.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i, to));
        }

        private List<INamedTypeSymbol> BaseFirst()
        {
            var chain = new List<INamedTypeSymbol>();
            for (var current = _type; current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType); current = current.BaseType)
            {
                chain.Insert(0, current);
            }

            return chain;
        }

        private void Violation(string member, string problem, string fix) =>
            _owner._violations.Add("'" + member + "' " + problem + "; " + fix);

        private sealed class Candidate
        {
            public Candidate(ISymbol symbol, ITypeSymbol type, bool readable, bool writable)
            {
                Symbol = symbol;
                Type = type;
                Readable = readable;
                Writable = writable;
            }

            public ISymbol Symbol { get; }

            public ITypeSymbol Type { get; }

            public bool Readable { get; }

            public bool Writable { get; }

            public int IntKey { get; set; }

            public string? StringKey { get; set; }
        }
    }
}
