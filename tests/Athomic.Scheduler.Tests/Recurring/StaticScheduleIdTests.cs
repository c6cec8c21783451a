using Athomic.Scheduler.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Recurring;

/// <summary>
/// Static (<c>[Recurring]</c>) schedules of handlers in different assemblies that share one schedule id would overwrite
/// each other in the store; the generator can only see one assembly (ATS033), so the host start refuses them.
/// </summary>
public sealed class StaticScheduleIdTests
{
    private static readonly RecurringSchedule Hourly = RecurringSchedule.Every(TimeSpan.FromHours(1));

    [Fact]
    public void Two_registries_with_one_static_schedule_id_fail_naming_both_methods()
    {
        var billing = new Registry(Handler("billing.close", "Billing.Jobs.Close", new StaticRecurringSchedule("nightly", Hourly)));
        var reports = new Registry(Handler("reports.build", "Reports.Jobs.Build", new StaticRecurringSchedule("nightly", RecurringSchedule.Cron("0 3 * * *"))));

        var error = Assert.Throws<InvalidOperationException>(() => new HandlerCatalog([billing, reports]));

        Assert.Equal(
            "The static recurring schedule id 'nightly' is used twice: by Billing.Jobs.Close and by Reports.Jobs.Build, so one schedule would overwrite the other. " +
            "Give one of them another id with [Recurring(..., Id = \"id\")].",
            error.Message);
    }

    [Fact]
    public void Distinct_schedule_ids_and_the_same_registry_twice_are_fine()
    {
        var registry = new Registry(
            Handler("a", "Jobs.A", new StaticRecurringSchedule("a", Hourly)),
            Handler("b", "Jobs.B", new StaticRecurringSchedule("b", Hourly)),
            Handler("c", "Jobs.C", null));
        var other = new Registry(Handler("d", "Other.D", new StaticRecurringSchedule("d", Hourly)));

        var catalog = new HandlerCatalog([registry, other, registry]);

        Assert.Equal(["a", "b", "d"], catalog.Recurring.Select(h => h.Recurring!.ScheduleId));
    }

    [Fact]
    public async Task The_host_start_fails_when_two_registries_share_a_static_schedule_id()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAthomicScheduler().UseInMemoryStore()
            .AddHandlers(new Registry(Handler("billing.close", "Billing.Jobs.Close", new StaticRecurringSchedule("nightly", Hourly))))
            .AddHandlers(new OtherRegistry(Handler("reports.build", "Reports.Jobs.Build", new StaticRecurringSchedule("nightly", Hourly))));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("'nightly' is used twice: by Billing.Jobs.Close and by Reports.Jobs.Build", error.Message, StringComparison.Ordinal);
    }

    private static ScheduledHandlerDescriptor Handler(string name, string method, StaticRecurringSchedule? recurring) =>
        new(name, method, null, (_, _, _) => ValueTask.CompletedTask) { Recurring = recurring };

    private class Registry(params ScheduledHandlerDescriptor[] handlers) : IScheduledHandlerRegistry
    {
        public IReadOnlyList<ScheduledHandlerDescriptor> Handlers => handlers;
    }

    /// <summary>Another type: AddHandlers adds one registry per type, as each assembly's generated registry is its own.</summary>
    private sealed class OtherRegistry(params ScheduledHandlerDescriptor[] handlers) : Registry(handlers);
}
