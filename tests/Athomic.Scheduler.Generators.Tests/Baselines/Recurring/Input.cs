using System;
using System.Threading;
using System.Threading.Tasks;
using Athomic.Scheduler;

namespace MyApp;

public sealed class Reports
{
    /// <summary>Builds the nightly report.</summary>
    [ScheduledHandler("reports.nightly")]
    [Recurring("0 3 * * *", TimeZone = "Europe/Berlin")]
    public Task Nightly(CancellationToken cancellationToken) => Task.CompletedTask;

    [ScheduledHandler]
    [Recurring(Every = "00:15:00", Misfire = MisfirePolicy.Skip, Id = "reports.refresh")]
    public static void Refresh() { }

    [ScheduledHandler]
    [Recurring("30 0 9 * * MON-FRI", Misfire = MisfirePolicy.RunAll)]
    public static void WeekdayMorning() { }

    [ScheduledHandler]
    public static void Digest(string audience) => Console.WriteLine(audience);
}
