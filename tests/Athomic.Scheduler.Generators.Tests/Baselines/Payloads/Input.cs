using System;
using System.Collections.Generic;
using Athomic.Scheduler;
using MessagePack;

namespace Shop;

public enum Priority { Low, High }

public enum Size : byte { Small = 1, Large = 200 }

[MessagePackObject]
public sealed record OrderLine([property: Key(0)] string Sku, [property: Key(1)] int Quantity);

// Integer keys with a gap (key 2 is written as nil), constructor parameters in key order.
[MessagePackObject]
public sealed record Order(
    [property: Key(0)] Guid Id,
    [property: Key(1)] IReadOnlyList<OrderLine> Lines,
    [property: Key(3)] Dictionary<string, decimal> Prices,
    [property: Key(4)] Priority Priority,
    [property: Key(5)] DateTimeOffset? ShipBy)
{
    // Not in the constructor: set after it, and only when present in the bytes.
    [Key(6)] public string? Note { get; set; }

    // Init-only and not in the constructor: set through its init accessor.
    [Key(7)] public Size Size { get; init; } = Size.Small;

    [IgnoreMember] public int LineCount => Lines.Count;
}

// String keys (map layout) on a mutable class with a parameterless constructor.
[MessagePackObject]
public class Customer
{
    [Key("name")] public string Name { get; set; } = "";
    [Key("tags")] public HashSet<string>? Tags { get; set; }
    [Key("since")] public DateTime Since { get; set; }
    [Key("scores")] public int[][]? Scores { get; set; }
    [Key("visits")] public Dictionary<long, DateTime>? Visits { get; set; }
}

// A struct, keys from the member names.
[MessagePackObject(true)]
public struct Window
{
    public TimeSpan Start { get; set; }
    public TimeSpan? End { get; set; }
    public IEnumerable<long> Marks { get; set; }
}

// Callbacks around (de)serialization, and a public field.
[MessagePackObject]
public sealed class Audited : IMessagePackSerializationCallbackReceiver
{
    [Key(0)] public string Who = "";
    [Key(1)] public byte[]? Blob { get; set; }

    public void OnBeforeSerialize() { }

    public void OnAfterDeserialize() { }
}

public static class PayloadHandlers
{
    [ScheduledHandler] public static void OnOrder(Order order) { }
    [ScheduledHandler] public static void OnLines(List<OrderLine> lines) { }
    [ScheduledHandler] public static void OnPrices(IReadOnlyDictionary<string, decimal[]> prices) { }
    [ScheduledHandler] public static void OnBytes(byte[] data) { }
    [ScheduledHandler] public static void OnMaybe(int? value) { }
    [ScheduledHandler] public static void OnText(string? text) { }
    [ScheduledHandler] public static void OnPriority(Priority priority) { }
    [ScheduledHandler] public static void OnCustomer(Customer customer) { }
    [ScheduledHandler] public static void OnWindow(Window window) { }
    [ScheduledHandler] public static void OnAudited(Audited audited) { }
}
