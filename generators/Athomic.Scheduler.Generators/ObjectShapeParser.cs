using System.Collections.Generic;
using System.Globalization;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>One <c>[MessagePackObject]</c> type: its members, keys and constructor, with the dynamic resolver's rules.</summary>
internal sealed class ObjectShapeParser
{
    private readonly PayloadShapeParser _owner;
    private readonly INamedTypeSymbol _type;
    private readonly string _display;
    private readonly List<Candidate> _members = new();

    public ObjectShapeParser(PayloadShapeParser owner, INamedTypeSymbol type, string display)
    {
        _owner = owner;
        _type = type;
        _display = display;
    }

    public ObjectShape? Parse()
    {
        var keyAsPropertyName = Symbols.FindAttribute(_type, "MessagePack.MessagePackObjectAttribute") is { } contract
            && contract.ConstructorArguments.Length > 0 && contract.ConstructorArguments[0].Value is true;
        var violations = _owner.ViolationCount;
        var intKeys = keyAsPropertyName ? CollectByName() : CollectKeyed();
        if (_owner.ViolationCount > violations)
        {
            return null;
        }

        var constructor = FindConstructor(intKeys, out var arguments);
        if (_owner.ViolationCount > violations)
        {
            return null;
        }

        var inConstructor = new HashSet<Candidate>(arguments);
        var required = constructor is not null && Symbols.HasAttribute(constructor, "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute");
        var kept = new List<Candidate>(_members.Count);
        foreach (var member in _members)
        {
            if (!keyAsPropertyName || inConstructor.Contains(member) || member.Writable)
            {
                kept.Add(member);
            }
        }

        if (intKeys)
        {
            kept.Sort(ByIntKey); // integer keys are unique here (a repeated key is a violation), so the order is total
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
                _owner.AddUnformattable("member '" + _display + "." + member.Symbol.Name + "': init-only properties of generic types have no generated formatter; pass the value to the constructor");
                return null;
            }

            var typeId = _owner.Visit(member.Type, "member '" + _display + "." + member.Symbol.Name + "'");
            members.Add(new MemberShape(Naming.EscapeIdentifier(member.Symbol.Name), member.IntKey, intKeys ? null : member.StringKey, typeId, member.Readable, assignment));
        }

        var indexes = new int[arguments.Count];
        for (var i = 0; i < indexes.Length; i++)
        {
            indexes[i] = kept.IndexOf(arguments[i]);
        }

        var callbacks = false;
        foreach (var implemented in _type.AllInterfaces)
        {
            callbacks |= Symbols.HasFullName(implemented, "MessagePack.IMessagePackSerializationCallbackReceiver");
        }

        return new ObjectShape(intKeys, new EquatableArray<MemberShape>(members), new EquatableArray<int>(indexes), constructor is not null, callbacks);
    }

    /// <summary>Members with <c>[Key]</c>: properties base type first, then fields base type first (as the dynamic resolver).</summary>
    private bool CollectKeyed()
    {
        // One pass over each type's members: the properties of the whole chain come before its fields.
        var members = new List<ISymbol>();
        var fields = new List<ISymbol>();
        foreach (var type in BaseFirst())
        {
            foreach (var member in type.GetMembers())
            {
                if (member is IPropertySymbol)
                {
                    members.Add(member);
                }
                else if (member is IFieldSymbol)
                {
                    fields.Add(member);
                }
            }
        }

        members.AddRange(fields);
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
            if (Symbols.FindAttribute(symbol, "MessagePack.KeyAttribute") is not { } key || key.ConstructorArguments.Length == 0)
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
        var fields = new List<ISymbol>();
        foreach (var type in BaseFirst())
        {
            // Per type, the properties, then the fields.
            fields.Clear();
            foreach (var symbol in type.GetMembers())
            {
                if (symbol is IPropertySymbol)
                {
                    AddByName(symbol, names, ref position);
                }
                else if (symbol is IFieldSymbol)
                {
                    fields.Add(symbol);
                }
            }

            foreach (var symbol in fields)
            {
                AddByName(symbol, names, ref position);
            }
        }

        return false;
    }

    private void AddByName(ISymbol symbol, HashSet<string> names, ref int position)
    {
        if (Serializable(symbol) is not { } candidate)
        {
            return;
        }

        candidate.StringKey = names.Add(symbol.Name) ? symbol.Name : PayloadShapeParser.FullName(symbol.ContainingType).Replace('+', '.') + "." + symbol.Name;
        candidate.IntKey = position++;
        _members.Add(candidate);
    }

    /// <summary>A member the dynamic resolver considers: public (readable or writable), not ignored, not static.</summary>
    /// <remarks>The attributes are read last, and only for such members: binding them is the costly part.</remarks>
    private Candidate? Serializable(ISymbol symbol)
    {
        if (symbol.IsStatic)
        {
            return null;
        }

        Candidate? candidate;
        switch (symbol)
        {
            case IPropertySymbol property when !property.IsIndexer && !property.IsOverride && !(_type.IsRecord && property.Name == "EqualityContract"):
                var readable = property.GetMethod is { DeclaredAccessibility: Accessibility.Public };
                var writable = property.SetMethod is { DeclaredAccessibility: Accessibility.Public };
                candidate = readable || writable ? new Candidate(property, property.Type, readable, writable) : null;
                break;
            case IFieldSymbol field when !field.IsImplicitlyDeclared && !field.IsConst && field.DeclaredAccessibility == Accessibility.Public:
                candidate = new Candidate(field, field.Type, true, !field.IsReadOnly);
                break;
            default:
                return null;
        }

        if (candidate is null)
        {
            return null;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass
                && (Symbols.HasFullName(attributeClass, "MessagePack.IgnoreMemberAttribute")
                    || Symbols.HasFullName(attributeClass, "System.Runtime.Serialization.IgnoreDataMemberAttribute")
                    || Symbols.HasFullName(attributeClass, "System.NonSerializedAttribute")))
            {
                return null;
            }
        }

        return candidate;
    }

    /// <summary>The constructor the dynamic resolver picks: the one marked <c>[SerializationConstructor]</c>, else the public one with the most parameters that all match members.</summary>
    private IMethodSymbol? FindConstructor(bool intKeys, out List<Candidate> arguments)
    {
        arguments = new List<Candidate>();
        var declared = new List<IMethodSymbol>();
        var marked = new List<IMethodSymbol>();
        foreach (var constructor in _type.InstanceConstructors)
        {
            if (_type.IsValueType && constructor.IsImplicitlyDeclared)
            {
                continue;
            }

            declared.Add(constructor);
            if (Symbols.HasAttribute(constructor, "MessagePack.SerializationConstructorAttribute"))
            {
                marked.Add(constructor);
            }
        }

        if (marked.Count > 1)
        {
            Violation(_display, "has " + marked.Count.ToString(CultureInfo.InvariantCulture) + " constructors marked [SerializationConstructor]", "mark one");
            return null;
        }

        var candidates = marked.Count == 1 ? marked : PublicByParameterCount(declared);
        if (candidates.Count == 0)
        {
            if (!_type.IsValueType)
            {
                Violation(_display, "has no public constructor", "add one, or mark one [SerializationConstructor]");
            }

            return null;
        }

        var sorted = _members;
        if (intKeys)
        {
            sorted = new List<Candidate>(_members);
            sorted.Sort(ByIntKey);
        }

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
                    : FirstByName(sorted, parameter.Name, byKey: true) ?? FirstByName(sorted, parameter.Name, byKey: false);
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

    private static int ByIntKey(Candidate x, Candidate y) => x.IntKey.CompareTo(y.IntKey);

    /// <summary>The first member whose string key (or name) equals <paramref name="name"/>, ignoring case.</summary>
    private static Candidate? FirstByName(List<Candidate> members, string name, bool byKey)
    {
        foreach (var member in members)
        {
            if (string.Equals(byKey ? member.StringKey : member.Symbol.Name, name, System.StringComparison.OrdinalIgnoreCase))
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>The public constructors, most parameters first; constructors with as many parameters keep their order.</summary>
    private static List<IMethodSymbol> PublicByParameterCount(List<IMethodSymbol> constructors)
    {
        var result = new List<IMethodSymbol>();
        foreach (var constructor in constructors)
        {
            if (constructor.DeclaredAccessibility != Accessibility.Public)
            {
                continue;
            }

            var at = result.Count;
            while (at > 0 && result[at - 1].Parameters.Length < constructor.Parameters.Length)
            {
                at--;
            }

            result.Insert(at, constructor);
        }

        return result;
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

        foreach (var implemented in from.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented, to))
            {
                return true;
            }
        }

        return false;
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
        _owner.AddViolation("'" + member + "' " + problem + "; " + fix);

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
