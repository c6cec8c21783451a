using Athomic.Scheduler.Execution;
using MessagePack;

namespace Athomic.Scheduler.WebSample;

/// <summary>An order confirmation to send later.</summary>
[MessagePackObject]
public sealed record OrderPlaced([property: Key(0)] string OrderId, [property: Key(1)] string Customer, [property: Key(2)] decimal Total);

/// <summary>The sample's handlers: one-off tasks scheduled by the /orders endpoint, and recurring work.</summary>
public sealed class ShopHandlers(ILogger<ShopHandlers> logger)
{
    /// <summary>Sends an order confirmation; orders of customer "nobody" fail, to fill the dead letters.</summary>
    [ScheduledHandler("orders.confirm", MaxAttempts = 2)]
    public void ConfirmOrder(OrderPlaced order, TaskContext context)
    {
        if (order.Customer == "nobody")
        {
            throw new InvalidOperationException($"No mailbox for the customer of order {order.OrderId}.");
        }

        logger.LogInformation("Confirmed order {OrderId} (attempt {Attempt})", order.OrderId, context.Attempt);
    }

    /// <summary>A static schedule: every 10 seconds, stored when the app starts.</summary>
    [ScheduledHandler("shop.heartbeat")]
    [Recurring(Every = "00:00:10")]
    public void Heartbeat() => logger.LogDebug("Heartbeat");

    /// <summary>A nightly report at 03:00 Berlin time.</summary>
    [ScheduledHandler("reports.nightly")]
    [Recurring("0 3 * * *", TimeZone = "Europe/Berlin")]
    public void NightlyReport() => logger.LogInformation("Nightly report");

    /// <summary>A digest per audience, scheduled at run time with a payload (AddOrUpdateRecurring…).</summary>
    [ScheduledHandler("reports.digest")]
    public void Digest(string audience) => logger.LogInformation("Digest for {Audience}", audience);
}
