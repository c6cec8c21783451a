using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
                _owner.AddUnformattable("member '" + _display + "." + member.Symbol.Name + "': init-only properties of generic types have no generated formatter; pass the value to the constructor");
                return null;
            }

            var typeId = _owner.Visit(member.Type, "member '" + _display + "." + member.Symbol.Name + "'");
            members.Add(new MemberShape(Naming.EscapeIdentifier(member.Symbol.Name), member.IntKey, intKeys ? null : member.StringKey, typeId, member.Readable, assignment));
        }

        var indexes = arguments.Select(a => kept.IndexOf(a)).ToArray();
        var callbacks = _type.AllInterfaces.Any(i => Symbols.HasFullName(i, "MessagePack.IMessagePackSerializationCallbackReceiver"));
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
        foreach (var type in BaseFirst())
        {
            foreach (var symbol in type.GetMembers().OfType<IPropertySymbol>().Cast<ISymbol>().Concat(type.GetMembers().OfType<IFieldSymbol>()))
            {
                if (Serializable(symbol) is not { } candidate)
                {
                    continue;
                }

                candidate.StringKey = names.Add(symbol.Name) ? symbol.Name : PayloadShapeParser.FullName(symbol.ContainingType).Replace('+', '.') + "." + symbol.Name;
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
            || Symbols.HasAttribute(symbol, "MessagePack.IgnoreMemberAttribute")
            || Symbols.HasAttribute(symbol, "System.Runtime.Serialization.IgnoreDataMemberAttribute")
            || Symbols.HasAttribute(symbol, "System.NonSerializedAttribute"))
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
        var marked = declared.Where(c => Symbols.HasAttribute(c, "MessagePack.SerializationConstructorAttribute")).ToList();
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
