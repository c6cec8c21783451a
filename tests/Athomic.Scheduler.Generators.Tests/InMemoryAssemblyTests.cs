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

        var host = TestHost.Build(
            b =>
            {
                b.AddScheduledHandlersFromAthomicSchedulerGeneratorsTestLibrary();
                InMemoryAssembly.AddHandlers(clash, b);
            },
            out _,
            out _);
        using (host)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
            Assert.Contains("'billing.invoice-due' is registered twice", error.Message, StringComparison.Ordinal);
            Assert.Contains("Athomic.Scheduler.Generators.TestLibrary.InvoiceHandlers.RemindAsync", error.Message, StringComparison.Ordinal);
            Assert.Contains("Clash.Copy.Remind", error.Message, StringComparison.Ordinal);
        }
    }
}
