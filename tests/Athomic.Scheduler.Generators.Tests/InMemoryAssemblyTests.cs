using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Handlers compiled in memory together with their generated code, then run through a real host.</summary>
public sealed class InMemoryAssemblyTests
{
    [Fact]
    public async Task Handlers_compiled_in_memory_run_end_to_end()
    {
        var assembly = InMemoryAssembly.Compile(
            """
            using System.Threading;
            using System.Threading.Tasks;
            using Athomic.Scheduler;
            using Athomic.Scheduler.Execution;
            using Athomic.Scheduler.Generators.Tests.Handlers;

            namespace Shipping;

            public sealed class Couriers
            {
                [ScheduledHandler("shipping.dispatch")]
                public ValueTask Dispatch(TaskContext context, string[] parcels, CancellationToken cancellationToken)
                {
                    Runs.Record(context, parcels);
                    return default;
                }
            }

            public static class Schedules
            {
                public static Task<string> Dispatch(IScheduler scheduler, string[] parcels) =>
                    scheduler.ScheduleDispatchAsync(parcels, System.TimeSpan.FromHours(1));
            }
            """,
            "Shipping.InMemory");

        await using var app = await TestHost.StartAsync(b => InMemoryAssembly.AddHandlers(assembly, b));
        var schedule = assembly.GetType("Shipping.Schedules")!.GetMethod("Dispatch")!;
        var id = await (Task<string>)schedule.Invoke(null, [app.Scheduler, new[] { "p-1", "p-2" }])!;

        var run = await app.AdvanceUntil(Runs.WhenRan(id), TimeSpan.FromMinutes(5));

        Assert.Equal("shipping.dispatch", run.Handler);
        Assert.Equal(["p-1", "p-2"], Assert.IsType<string[]>(run.Payload));
    }

    [Fact]
    public async Task Same_handler_name_in_two_assemblies_fails_the_host_start_naming_both_methods()
    {
        var clash = InMemoryAssembly.Compile(
            """
            using Athomic.Scheduler;

            namespace Clash;

            public static class Copy
            {
                [ScheduledHandler("billing.invoice-due")]
                public static void Remind(string invoiceId) { }
            }
            """,
            "Clash");

        var error = await StartFails(b => b.AddScheduledHandlersFromAthomicSchedulerGeneratorsTestLibrary(), clash);

        Assert.Contains("'billing.invoice-due' is registered twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("Athomic.Scheduler.Generators.TestLibrary.InvoiceHandlers.RemindAsync", error.Message, StringComparison.Ordinal);
        Assert.Contains("Clash.Copy.Remind", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Same_static_schedule_id_in_two_assemblies_fails_the_host_start_naming_both_methods()
    {
        var clash = InMemoryAssembly.Compile(
            """
            using Athomic.Scheduler;

            namespace Clash;

            public static class Nightly
            {
                [ScheduledHandler("clash.nightly"), Recurring("0 4 * * *", Id = "app.nightly")]
                public static void Run() { }
            }
            """,
            "ClashSchedules");

        var error = await StartFails(b => b.AddScheduledHandlersFromAthomicSchedulerGeneratorsTests(), clash);

        Assert.Contains(
            "The static recurring schedule id 'app.nightly' is used twice: by Athomic.Scheduler.Generators.Tests.Handlers.PingHandlers.NightlyPing and by Clash.Nightly.Run",
            error.Message,
            StringComparison.Ordinal);
    }

    /// <summary>Builds a host with <paramref name="handlers"/> and then those of <paramref name="other"/>; its start must fail.</summary>
    private static async Task<InvalidOperationException> StartFails(Action<Hosting.SchedulerBuilder> handlers, System.Reflection.Assembly other)
    {
        using var host = TestHost.Build(
            b =>
            {
                handlers(b);
                InMemoryAssembly.AddHandlers(other, b);
            },
            out _,
            out _);
        return await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
    }
}
