using System.Numerics;
using MessagePack;

namespace Athomic.Scheduler.Generators.Tests.Handlers;

// Payload types for the wire-compatibility tests (WireCompatibilityTests): every layout and member kind the generated
// formatters must write exactly as MessagePack's dynamic StandardResolver does. Each root has a handler below, so the
// generator emits formatters for it and for every [MessagePackObject] type it reaches.

/// <summary>An int enum with a negative value and a gap.</summary>
public enum WireColor
{
    Red,
    Green,
    Blue = 7,
    Below = -3,
}

/// <summary>A byte enum up to its maximum.</summary>
public enum WireLevel : byte
{
    None,
    Low = 1,
    High = 255,
}

/// <summary>A signed byte enum.</summary>
public enum WireSigned : sbyte
{
    Min = sbyte.MinValue,
    Zero = 0,
    Max = sbyte.MaxValue,
}

/// <summary>A long enum at both ends.</summary>
public enum WireWide : long
{
    Small = long.MinValue,
    Zero = 0,
    Big = long.MaxValue,
}

/// <summary>Integer keys with a gap (2 and 7 are written as nil), constructor parameters, init-only and settable members outside the constructor.</summary>
[MessagePackObject]
public sealed record WireRecord(
    [property: Key(0)] int Id,
    [property: Key(1)] string? Name,
    [property: Key(3)] Guid? Ref,
    [property: Key(4)] WireColor Color)
{
    [Key(5)] public WireLevel Level { get; init; } = WireLevel.Low;

    [Key(6)] public string? Note { get; set; }

    [Key(8)] public DateTimeOffset? When { get; set; }

    [IgnoreMember] public int Ignored { get; set; } = 42;
}

/// <summary>Every primitive, as settable properties and public fields of a class with a parameterless constructor.</summary>
[MessagePackObject]
public sealed class WireScalars
{
    [Key(0)] public bool Flag { get; set; }

    [Key(1)] public byte U8;

    [Key(2)] public sbyte I8;

    [Key(3)] public short I16 { get; set; }

    [Key(4)] public ushort U16 { get; set; }

    [Key(5)] public int I32 { get; set; }

    [Key(6)] public uint U32 { get; set; }

    [Key(7)] public long I64 { get; set; }

    [Key(8)] public ulong U64 { get; set; }

    [Key(9)] public float F32 { get; set; }

    [Key(10)] public double F64 { get; set; }

    [Key(11)] public decimal Money { get; set; }

    [Key(12)] public char Letter { get; set; }

    [Key(13)] public string? Text { get; set; }

    [Key(14)] public byte[]? Blob { get; set; }

    [Key(15)] public WireColor Color { get; set; }

    [Key(16)] public WireLevel Level { get; set; }

    [Key(17)] public WireSigned Signed { get; set; }

    [Key(18)] public WireWide Wide { get; set; }

    [Key(19)] public WireColor? MaybeColor { get; set; }
}

/// <summary>Built-in formatters and nullable value types, with string keys.</summary>
[MessagePackObject]
public sealed class WireTimes
{
    [Key("id")] public Guid Id { get; set; }

    [Key("at")] public DateTimeOffset At { get; set; }

    [Key("dt")] public DateTime Stamp { get; set; }

    [Key("span")] public TimeSpan Span { get; set; }

    [Key("day")] public DateOnly Day { get; set; }

    [Key("time")] public TimeOnly Time { get; set; }

    [Key("uri")] public Uri? Link { get; set; }

    [Key("ver")] public Version? Version { get; set; }

    [Key("big")] public BigInteger Big { get; set; }

    [Key("n_int")] public int? MaybeInt { get; set; }

    [Key("n_guid")] public Guid? MaybeId { get; set; }

    [Key("n_at")] public DateTimeOffset? MaybeAt { get; set; }

    [Key("n_span")] public TimeSpan? MaybeSpan { get; set; }

    [Key("ünï 键")] public string? Unicode { get; set; }
}

/// <summary>Every collection shape, with string keys.</summary>
[MessagePackObject]
public sealed class WireCollections
{
    [Key("ints")] public int[]? Ints { get; set; }

    [Key("jagged")] public int[]?[]? Jagged { get; set; }

    [Key("strings")] public string?[]? Strings { get; set; }

    [Key("list")] public List<string?>? List { get; set; }

    [Key("records")] public IReadOnlyList<WireRecord?>? Records { get; set; }

    [Key("seq")] public IEnumerable<long>? Sequence { get; set; }

    [Key("set")] public HashSet<int>? Set { get; set; }

    [Key("dict")] public Dictionary<string, int>? Dictionary { get; set; }

    [Key("rodict")] public IReadOnlyDictionary<int, WireNode?>? ReadOnlyDictionary { get; set; }

    [Key("enums")] public List<WireColor>? Enums { get; set; }

    [Key("maybes")] public List<int?>? Maybes { get; set; }

    [Key("guids")] public Guid[]? Guids { get; set; }

    [Key("bytes")] public List<byte[]?>? Blobs { get; set; }

    [Key("decimals")] public IReadOnlyDictionary<string, decimal[]>? Decimals { get; set; }
}

/// <summary>A recursive type: nested objects and lists of them.</summary>
[MessagePackObject]
public sealed class WireNode
{
    [Key(0)] public int Value;

    [Key(1)] public WireNode? Next;

    [Key(2)] public List<WireNode>? Children { get; set; }
}

/// <summary>String keys with a constructor (parameters matched by name, in another order than the keys).</summary>
[MessagePackObject]
public sealed class WireStringRecord
{
    public WireStringRecord(string? sku, int quantity, WireByNameStruct window)
    {
        Sku = sku;
        Quantity = quantity;
        Window = window;
    }

    [Key("quantity")] public int Quantity { get; }

    [Key("sku")] public string? Sku { get; }

    [Key("window")] public WireByNameStruct Window { get; }

    [Key("extra")] public WireByName? Extra { get; set; }

    [Key("until")] public DateTimeOffset? Until { get; init; }
}

/// <summary>Keys from member names on a class (properties, a field, a get-only property the resolver leaves out).</summary>
[MessagePackObject(true)]
public class WireByName
{
    public WireLevel LevelField;

    public string? Title { get; set; }

    public int Count { get; set; }

    public List<double>? Values { get; set; }

    public WireNode? Node { get; set; }

    public int Twice => Count * 2;
}

/// <summary>Keys from member names on a struct.</summary>
[MessagePackObject(true)]
public struct WireByNameStruct
{
    public char C;

    public long X { get; set; }

    public float Y { get; set; }

    public TimeSpan? T { get; set; }

    public IReadOnlyList<string>? Names { get; set; }
}

/// <summary>Calls back around (de)serialization: <see cref="Length"/> is computed before writing.</summary>
[MessagePackObject]
public sealed class WireCallbacks : IMessagePackSerializationCallbackReceiver
{
    [Key(0)] public string? Text { get; set; }

    [Key(1)] public int Length { get; set; }

    [IgnoreMember] public int AfterCalls { get; private set; }

    public void OnBeforeSerialize() => Length = Text?.Length ?? -1;

    public void OnAfterDeserialize() => AfterCalls++;
}

/// <summary>All of the above in one payload.</summary>
[MessagePackObject]
public sealed record WireEnvelope(
    [property: Key(0)] WireRecord? Record,
    [property: Key(1)] WireScalars? Scalars,
    [property: Key(2)] WireTimes? Times,
    [property: Key(3)] WireCollections? Collections,
    [property: Key(4)] WireStringRecord? StringRecord,
    [property: Key(5)] WireByName? ByName,
    [property: Key(6)] WireByNameStruct ByNameStruct,
    [property: Key(7)] WireByNameStruct? MaybeStruct,
    [property: Key(8)] WireCallbacks? Callbacks);

/// <summary>A union on an interface: a record case, a class case and a struct case, keys not starting at 0.</summary>
[Union(2, typeof(WireCircle))]
[Union(5, typeof(WireSquare))]
[Union(9, typeof(WirePoint))]
public interface IWireShape
{
}

/// <summary>A union case with integer keys.</summary>
[MessagePackObject]
public sealed record WireCircle([property: Key(0)] double Radius, [property: Key(1)] string? Label) : IWireShape;

/// <summary>A union case with string keys.</summary>
[MessagePackObject]
public sealed class WireSquare : IWireShape
{
    [Key("side")] public int Side { get; set; }

    [Key("tags")] public List<string>? Tags { get; set; }
}

/// <summary>A struct union case.</summary>
[MessagePackObject]
public struct WirePoint : IWireShape
{
    [Key(0)] public int X { get; set; }

    [Key(1)] public int Y { get; set; }
}

/// <summary>A union on an abstract class whose cases nest it: a tree.</summary>
[Union(0, typeof(WireLeaf))]
[Union(1, typeof(WireBranch))]
public abstract class WireTree
{
}

/// <summary>A leaf of a <see cref="WireTree"/>.</summary>
[MessagePackObject]
public sealed class WireLeaf : WireTree
{
    [Key(0)] public long Value { get; set; }
}

/// <summary>A branch of a <see cref="WireTree"/>, with shapes beside its children.</summary>
[MessagePackObject]
public sealed class WireBranch : WireTree
{
    [Key(0)] public List<WireTree?>? Children { get; set; }

    [Key(1)] public IWireShape? Shape { get; set; }
}

/// <summary>Handlers for the wire-compatibility payloads: each root type gets a generated formatter.</summary>
public static class WireHandlers
{
    [ScheduledHandler("wire.record")] public static void OnRecord(WireRecord payload) => _ = payload;

    [ScheduledHandler("wire.scalars")] public static void OnScalars(WireScalars payload) => _ = payload;

    [ScheduledHandler("wire.times")] public static void OnTimes(WireTimes payload) => _ = payload;

    [ScheduledHandler("wire.collections")] public static void OnCollections(WireCollections payload) => _ = payload;

    [ScheduledHandler("wire.node")] public static void OnNode(WireNode payload) => _ = payload;

    [ScheduledHandler("wire.string-record")] public static void OnStringRecord(WireStringRecord payload) => _ = payload;

    [ScheduledHandler("wire.by-name")] public static void OnByName(WireByName payload) => _ = payload;

    [ScheduledHandler("wire.by-name-struct")] public static void OnByNameStruct(WireByNameStruct payload) => _ = payload;

    [ScheduledHandler("wire.callbacks")] public static void OnCallbacks(WireCallbacks payload) => _ = payload;

    [ScheduledHandler("wire.envelope")] public static void OnEnvelope(WireEnvelope payload) => _ = payload;

    [ScheduledHandler("wire.jagged")] public static void OnJagged(int[]?[]? payload) => _ = payload;

    [ScheduledHandler("wire.text")] public static void OnText(string? payload) => _ = payload;

    [ScheduledHandler("wire.stamp")] public static void OnStamp(DateTime payload) => _ = payload;

    [ScheduledHandler("wire.color")] public static void OnColor(WireColor payload) => _ = payload;

    [ScheduledHandler("wire.lookup")] public static void OnLookup(IReadOnlyDictionary<string, List<Guid?>>? payload) => _ = payload;

    [ScheduledHandler("wire.sequence")] public static void OnSequence(IEnumerable<WireByNameStruct>? payload) => _ = payload;

    [ScheduledHandler("wire.shapes")] public static void OnShapes(List<IWireShape?>? payload) => _ = payload;

    [ScheduledHandler("wire.tree")] public static void OnTree(WireTree? payload) => _ = payload;
}

/// <summary>A <c>required</c> member next to an ordinary one: generated code sets it in the object initializer.</summary>
[MessagePackObject]
public sealed class WireRequired
{
    [Key(0)] public required string Name { get; init; }

    [Key(1)] public int Count { get; set; } = 5;
}

/// <summary>The handler that makes the generator emit <see cref="WireRequired"/>'s formatter.</summary>
public static class WireRequiredHandlers
{
    [ScheduledHandler("wire.required")] public static void OnRequired(WireRequired payload) => _ = payload;
}
