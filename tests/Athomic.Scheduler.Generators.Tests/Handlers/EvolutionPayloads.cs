using MessagePack;

namespace Athomic.Scheduler.Generators.Tests.Handlers;

// Two versions of a payload type, as the code that scheduled a task and the code that runs it (PayloadEvolutionTests).
// The types differ only in name; the bytes carry no type name, so each pair stands for one type across a deployment.

/// <summary>Integer keys, version 1.</summary>
[MessagePackObject]
public sealed record OrderV1([property: Key(0)] int Id, [property: Key(1)] string? Sku);

/// <summary>Version 2 adds key 2 as a constructor parameter.</summary>
[MessagePackObject]
public sealed record OrderV2Ctor([property: Key(0)] int Id, [property: Key(1)] string? Sku, [property: Key(2)] int Quantity);

/// <summary>Version 2 adds keys 2 and 3 as a settable and an init-only property with initializers, next to a constructor.</summary>
[MessagePackObject]
public sealed record OrderV2Prop([property: Key(0)] int Id, [property: Key(1)] string? Sku)
{
    [Key(2)] public int Quantity { get; set; } = 1;

    [Key(3)] public string Currency { get; init; } = "EUR";
}

/// <summary>Version 2 adds key 2 with an initializer, on a mutable class with a parameterless constructor.</summary>
[MessagePackObject]
public sealed class OrderV2Mutable
{
    [Key(0)] public int Id { get; set; }

    [Key(1)] public string? Sku { get; set; }

    [Key(2)] public int Quantity { get; set; } = 1;
}

/// <summary>Version 2 removes the last key (1).</summary>
[MessagePackObject]
public sealed record OrderV2Shorter([property: Key(0)] int Id);

/// <summary>Version 3 removes key 1 from the middle (a gap) and keeps key 2 of <see cref="OrderV2Prop"/>.</summary>
[MessagePackObject]
public sealed record OrderV3Gap([property: Key(0)] int Id)
{
    [Key(2)] public int Quantity { get; set; } = 1;
}

/// <summary>String keys, version 1.</summary>
[MessagePackObject]
public sealed class CustomerV1
{
    [Key("id")] public int Id { get; set; }

    [Key("name")] public string? Name { get; set; }
}

/// <summary>Version 2 adds "email" (settable, with an initializer) and "tier" (init-only, with an initializer).</summary>
[MessagePackObject]
public sealed class CustomerV2Prop
{
    [Key("id")] public int Id { get; set; }

    [Key("name")] public string? Name { get; set; }

    [Key("email")] public string Email { get; set; } = "none";

    [Key("tier")] public int Tier { get; init; } = 3;
}

/// <summary>Version 2 adds "email" as a constructor parameter.</summary>
[MessagePackObject]
public sealed class CustomerV2Ctor
{
    public CustomerV2Ctor(int id, string? name, string? email)
    {
        Id = id;
        Name = name;
        Email = email;
    }

    [Key("id")] public int Id { get; }

    [Key("name")] public string? Name { get; }

    [Key("email")] public string? Email { get; }
}

/// <summary>Version 2 removes "name".</summary>
[MessagePackObject]
public sealed class CustomerV2Shorter
{
    [Key("id")] public int Id { get; set; }
}

/// <summary>Version 2 declares the keys in the other order (so writes them in the other order).</summary>
[MessagePackObject]
public sealed class CustomerV2Reordered
{
    [Key("name")] public string? Name { get; set; }

    [Key("id")] public int Id { get; set; }
}

/// <summary>Handlers for the evolution payloads: both versions of each get generated formatters.</summary>
public static class EvolutionHandlers
{
    [ScheduledHandler("evolution.order-v1")] public static void OnOrderV1(OrderV1 payload) => _ = payload;

    [ScheduledHandler("evolution.order-v2-ctor")] public static void OnOrderV2Ctor(OrderV2Ctor payload) => _ = payload;

    [ScheduledHandler("evolution.order-v2-prop")] public static void OnOrderV2Prop(OrderV2Prop payload) => _ = payload;

    [ScheduledHandler("evolution.order-v2-mutable")] public static void OnOrderV2Mutable(OrderV2Mutable payload) => _ = payload;

    [ScheduledHandler("evolution.order-v2-shorter")] public static void OnOrderV2Shorter(OrderV2Shorter payload) => _ = payload;

    [ScheduledHandler("evolution.order-v3-gap")] public static void OnOrderV3Gap(OrderV3Gap payload) => _ = payload;

    [ScheduledHandler("evolution.customer-v1")] public static void OnCustomerV1(CustomerV1 payload) => _ = payload;

    [ScheduledHandler("evolution.customer-v2-prop")] public static void OnCustomerV2Prop(CustomerV2Prop payload) => _ = payload;

    [ScheduledHandler("evolution.customer-v2-ctor")] public static void OnCustomerV2Ctor(CustomerV2Ctor payload) => _ = payload;

    [ScheduledHandler("evolution.customer-v2-shorter")] public static void OnCustomerV2Shorter(CustomerV2Shorter payload) => _ = payload;

    [ScheduledHandler("evolution.customer-v2-reordered")] public static void OnCustomerV2Reordered(CustomerV2Reordered payload) => _ = payload;
}
