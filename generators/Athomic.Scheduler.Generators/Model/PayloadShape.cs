namespace Athomic.Scheduler.Generators.Model;

/// <summary>How the generated formatter writes and reads one type.</summary>
internal enum ShapeKind
{
    /// <summary>A primitive, <c>string</c> or <c>DateTime</c>: <c>writer.Write(value)</c> and <c>reader.Read{Detail}()</c>.</summary>
    Primitive,

    /// <summary>A type with a stateless built-in MessagePack formatter, named by <see cref="TypeShape.Detail"/>.</summary>
    Builtin,

    /// <summary>An enum, written as its underlying primitive (<see cref="TypeShape.Detail"/> is the reader method).</summary>
    Enum,

    /// <summary><c>Nullable&lt;T&gt;</c>: nil or the value.</summary>
    Nullable,

    /// <summary>A one-dimensional array: nil or an array header and the elements.</summary>
    Array,

    /// <summary>A list or set (<see cref="TypeShape.Detail"/> is the concrete type to create, an array type for the interfaces MessagePack decodes to arrays): nil or an array header and the elements.</summary>
    Collection,

    /// <summary>A dictionary (<see cref="TypeShape.Detail"/> is the concrete type to create): nil or a map header and the pairs.</summary>
    Dictionary,

    /// <summary>A <c>[MessagePackObject]</c> type, written exactly as MessagePack's dynamic object resolver writes it.</summary>
    Object,

    /// <summary>
    /// A <c>[Union]</c> interface or abstract class: nil, or a two-item array of the case key and the case
    /// (<see cref="TypeShape.Arguments"/> are the case types, <see cref="TypeShape.Detail"/> their keys, comma-separated).
    /// </summary>
    Union,

    /// <summary>No generated formatter: the options' resolver (only with the dynamic-formatter opt-out).</summary>
    Dynamic,
}

/// <summary>
/// One type the generated formatters handle. Shapes refer to each other by <see cref="Id"/> (the type's
/// <c>global::</c>-qualified name without nullable reference annotations), so recursive types need no cycles.
/// </summary>
/// <param name="Id">The type name; also the C# type the formatter code uses.</param>
/// <param name="Kind">How it is written.</param>
/// <param name="Detail">The reader method, built-in formatter or concrete collection type, depending on <paramref name="Kind"/>.</param>
/// <param name="Arguments">The ids of the element (or key and value) types.</param>
/// <param name="IsValueType">Whether the type is a value type (no nil for it at the top of an object).</param>
/// <param name="Object">The members and constructor of an <see cref="ShapeKind.Object"/>.</param>
/// <param name="Display">The type for messages.</param>
internal sealed record TypeShape(
    string Id,
    ShapeKind Kind,
    string? Detail,
    EquatableArray<string> Arguments,
    bool IsValueType,
    ObjectShape? Object,
    string Display);

/// <summary>The serialized layout of a <c>[MessagePackObject]</c> type, resolved the way MessagePack 2.x's dynamic resolver resolves it.</summary>
/// <param name="IntKeys">Array layout (integer keys) or map layout (string keys).</param>
/// <param name="Members">The members, in the order MessagePack writes them (by key for integer keys).</param>
/// <param name="ConstructorArguments">Indexes into <paramref name="Members"/> for the constructor's parameters, in order.</param>
/// <param name="HasConstructor">False for a struct created with <c>default</c>.</param>
/// <param name="Callbacks">Whether the type implements <c>IMessagePackSerializationCallbackReceiver</c>.</param>
internal sealed record ObjectShape(
    bool IntKeys,
    EquatableArray<MemberShape> Members,
    EquatableArray<int> ConstructorArguments,
    bool HasConstructor,
    bool Callbacks);

/// <summary>How a member's value gets into the object after it is read.</summary>
internal enum MemberAssignment
{
    /// <summary>Not assigned (read-only, or passed to the constructor).</summary>
    None,

    /// <summary>A plain assignment after construction, when the value was present.</summary>
    Set,

    /// <summary>An <c>init</c> accessor called through <c>UnsafeAccessor</c> after construction, when the value was present.</summary>
    InitAccessor,

    /// <summary>A <c>required</c> member: set in the object initializer (its default when absent).</summary>
    Required,
}

/// <summary>One serialized member.</summary>
/// <param name="Name">The member name as a C# identifier.</param>
/// <param name="IntKey">The integer key (array index), or the position for string keys.</param>
/// <param name="StringKey">The string key, or <see langword="null"/> for integer keys.</param>
/// <param name="TypeId">The member type's <see cref="TypeShape.Id"/>.</param>
/// <param name="Readable">Whether it is written (it has a public getter).</param>
/// <param name="Assignment">How a read value is stored.</param>
internal sealed record MemberShape(
    string Name,
    int IntKey,
    string? StringKey,
    string TypeId,
    bool Readable,
    MemberAssignment Assignment);

/// <summary>
/// A concrete class or struct of the compilation with base types or interfaces, for the check that every subtype of a
/// payload's <c>[Union]</c> type is one of its cases (ATS032).
/// </summary>
/// <param name="TypeId">The type's shape id (<c>global::</c>-qualified).</param>
/// <param name="Display">The type for messages.</param>
/// <param name="BaseClasses">The shape ids of its base classes, nearest first, without <c>object</c>.</param>
/// <param name="Interfaces">The shape ids of all its interfaces.</param>
/// <param name="Location">Its name in the declaration.</param>
internal sealed record UnionSubtype(string TypeId, string Display, EquatableArray<string> BaseClasses, EquatableArray<string> Interfaces, LocationInfo? Location);
