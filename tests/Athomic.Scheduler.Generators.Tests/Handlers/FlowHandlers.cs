using Athomic.Scheduler.Execution;
using MessagePack;

namespace Athomic.Scheduler.Generators.Tests.Handlers;

[MessagePackObject]
public sealed record EmailMessage([property: Key(0)] string To);

[MessagePackObject]
public sealed record PaymentCapture([property: Key(0)] Guid PaymentId, [property: Key(1)] decimal Amount);

[MessagePackObject]
public sealed record SyncCustomer([property: Key(0), ConcurrencyKey] Guid CustomerId, [property: Key(1)] bool Full);

[MessagePackObject]
public sealed record ShardJob([property: Key(0)] string Name, [property: Key(1), ConcurrencyKey] int Shard);

[MessagePackObject]
public struct AccountJob
{
    [Key(0), ConcurrencyKey] public long AccountId;
}

public enum Region : sbyte
{
    Moon = -2,
    North = 1,
}

[MessagePackObject]
public sealed class RegionJob
{
    [Key(0), ConcurrencyKey] public Region? Region { get; set; }
}

[MessagePackObject]
public sealed class TenantJob
{
    [Key(0), ConcurrencyKey] public string? Tenant { get; set; }
}

/// <summary>Handlers with flow control (issue 20's examples, and one per kind of concurrency key).</summary>
public sealed class FlowHandlers
{
    [ScheduledHandler("email.send", MaxConcurrency = 3)]
    public Task SendEmail(EmailMessage payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("api.call", RateLimit = 10, RateLimitWindow = "00:00:01")]
    public Task CallApi(CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("report.build", Timeout = "00:00:30")]
    public Task BuildReport(CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("payment.capture", Priority = 10)]
    public Task CapturePayment(PaymentCapture payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("customer.sync", MaxConcurrencyPerKey = 1)]
    public Task Sync(SyncCustomer payload, CancellationToken ct) => Task.CompletedTask;

    [ScheduledHandler("flow.shard", MaxConcurrencyPerKey = 2)]
    public static void RunShard(ShardJob payload) => _ = payload;

    [ScheduledHandler("flow.account", MaxConcurrencyPerKey = 1)]
    public static void RunAccount(AccountJob payload) => _ = payload;

    [ScheduledHandler("flow.region", MaxConcurrency = 5, MaxConcurrencyPerKey = 1)]
    public static void RunRegion(RegionJob? payload) => _ = payload;

    [ScheduledHandler("flow.tenant", MaxConcurrencyPerKey = 1)]
    public static void RunTenant(TenantJob payload) => _ = payload;
}
