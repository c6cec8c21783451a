using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Athomic.Scheduler;
using MessagePack;

namespace Shop;

public enum Priority { Low, High }

[MessagePackObject]
public sealed record OrderLine([property: Key(0)] string Sku, [property: Key(1)] int Quantity);

[MessagePackObject]
public sealed record Order(
    [property: Key(0)] Guid Id,
    [property: Key(1)] IReadOnlyList<OrderLine> Lines,
    [property: Key(2)] Dictionary<string, decimal> Prices,
    [property: Key(3)] Priority Priority,
    [property: Key(4)] DateTimeOffset? ShipBy);

[MessagePackObject(true)]
public sealed class Settings
{
    public string Name { get; set; } = "";
    public int[] Values { get; set; } = [];
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
    [ScheduledHandler] public static void OnIds(ImmutableArray<Guid> ids) { }
    [ScheduledHandler] public static void OnPair((string Name, TimeSpan Every) pair) { }
    [ScheduledHandler] public static void OnSettings(Settings settings) { }
}
