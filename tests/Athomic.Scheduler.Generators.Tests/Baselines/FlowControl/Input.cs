using System;
using System.Threading;
using System.Threading.Tasks;
using Athomic.Scheduler;
using MessagePack;

namespace Shop;

[MessagePackObject]
public sealed record Email([property: Key(0)] string To, [property: Key(1)] string Subject);

[MessagePackObject]
public sealed record ApiCall([property: Key(0)] Uri Endpoint);

[MessagePackObject]
public sealed record Capture([property: Key(0)] Guid PaymentId, [property: Key(1)] decimal Amount);

[MessagePackObject]
public sealed record SyncCustomer([property: Key(0), ConcurrencyKey] Guid CustomerId, [property: Key(1)] bool Full);

public enum Region : short
{
    North,
    South,
}

[MessagePackObject]
public struct Restock
{
    [Key(0), ConcurrencyKey] public Region? Region;
    [Key(1)] public int Quantity;
}

[MessagePackObject]
public sealed class TenantJob
{
    [Key(0), ConcurrencyKey] public string? Tenant { get; set; }
}

public sealed class ShopHandlers
{
    [ScheduledHandler("email.send", MaxConcurrency = 3)]
    public Task Send(Email payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("api.call", RateLimit = 10, RateLimitWindow = "00:00:01")]
    public Task Call(ApiCall payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("report.build", Timeout = "00:00:30")]
    public Task Build(CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("payment.capture", Priority = 10)]
    public Task CaptureAsync(Capture payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("customer.sync", MaxConcurrencyPerKey = 1)]
    public Task Sync(SyncCustomer payload, CancellationToken ct) => Task.CompletedTask;

    // Every limit at once, a nullable enum key on a struct payload.
    [ScheduledHandler("stock.restock", MaxConcurrency = 8, MaxConcurrencyPerKey = 2, RateLimit = 100, RateLimitWindow = "00:01:00", Timeout = "1.00:00:00.5", Priority = 1000)]
    public static void Restock(Restock payload) { }

    // A string key on a payload that may be null.
    [ScheduledHandler("tenant.run", MaxConcurrencyPerKey = 1)]
    public static void RunForTenant(TenantJob? payload) { }

    // A static schedule that never overlaps itself.
    [ScheduledHandler("reports.nightly", MaxConcurrency = 1, Timeout = "02:00:00")]
    [Recurring("0 3 * * *")]
    public static void Nightly() { }
}
