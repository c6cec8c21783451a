using MessagePack;

namespace Athomic.Scheduler.AotSample;

/// <summary>A task payload with the usual kinds of members; under Native AOT it is encoded by generated formatters.</summary>
[MessagePackObject]
public sealed record OrderShipped(
    [property: Key(0)] string Customer,
    [property: Key(1)] int Quantity,
    [property: Key(2), ConcurrencyKey] Guid OrderId,
    [property: Key(3)] DateTimeOffset ShippedAt,
    [property: Key(4)] List<string> Items,
    [property: Key(5)] Carrier Carrier,
    [property: Key(6)] Address ShipTo)
{
    /// <summary>Whether <paramref name="other"/> carries the same values (the list compared item by item).</summary>
    public bool SameAs(OrderShipped other) =>
        Customer == other.Customer && Quantity == other.Quantity && OrderId == other.OrderId && ShippedAt == other.ShippedAt
        && ShippedAt.Offset == other.ShippedAt.Offset && Items.SequenceEqual(other.Items) && Carrier == other.Carrier && ShipTo == other.ShipTo;
}

/// <summary>Who delivers.</summary>
public enum Carrier
{
    /// <summary>The post.</summary>
    Post,

    /// <summary>A courier.</summary>
    Courier,
}

/// <summary>A nested payload type.</summary>
[MessagePackObject]
public sealed record Address([property: Key(0)] string City, [property: Key(1)] string Country);

/// <summary>The payload of the recurring schedule.</summary>
[MessagePackObject]
public sealed record Heartbeat([property: Key(0)] string Source);
