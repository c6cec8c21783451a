using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;
using static Athomic.Scheduler.Generators.Tests.Infrastructure.DiagnosticAssert;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>The <c>[Recurring]</c> diagnostics, asserted by id, span and message; any other diagnostic fails the test.</summary>
public sealed class RecurringDiagnosticTests
{
    private const string Header = """
        using System;
        using Athomic.Scheduler;

        namespace App;

        """;

    [Fact]
    public void ATS018_invalid_cron_expressions()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler, Recurring({|#0:"0 3 * *"|})] public static void Short() { }
                [ScheduledHandler, Recurring({|#1:"61 3 * * *"|})] public static void Minute() { }
                [ScheduledHandler, Recurring({|#2:"0 3 * FOO *"|})] public static void Month() { }
                [ScheduledHandler, Recurring({|#3:"0 0 3 * * MON/0"|})] public static void Step() { }
            }
            """,
            new Expected("ATS018", 0, "The cron expression '0 3 * *' of 'App.Jobs.Short' is invalid: it has 4 fields; give 5 (minute hour day month weekday) or 6 (seconds first)"),
            new Expected("ATS018", 1, "The cron expression '61 3 * * *' of 'App.Jobs.Minute' is invalid: the minute field '61' is not valid"),
            new Expected("ATS018", 2, "The cron expression '0 3 * FOO *' of 'App.Jobs.Month' is invalid: the month field 'FOO' is not valid"),
            new Expected("ATS018", 3, "The cron expression '0 0 3 * * MON/0' of 'App.Jobs.Step' is invalid: the day of week field 'MON/0' is not valid"));
    }

    [Fact]
    public void ATS019_unknown_time_zone()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler, Recurring("0 3 * * *", TimeZone = {|#0:"Europe/Berln"|})] public static void Typo() { }
                [ScheduledHandler, Recurring("0 3 * * *", TimeZone = "W. Europe Standard Time")] public static void Windows() { }
                [ScheduledHandler, Recurring("0 3 L * ?", TimeZone = "Australia/Sydney")] public static void LastDay() { }
            }
            """,
            new Expected("ATS019", 0, "The time zone 'Europe/Berln' of 'App.Jobs.Typo' is not a known IANA or Windows time zone id; use an IANA id such as 'Europe/Berlin' (ids are checked against the generator's tzdata snapshot)"));
    }

    [Fact]
    public void ATS020_invalid_recurring_schedules()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler, {|#0:Recurring|}] public static void Neither() { }
                [ScheduledHandler, {|#1:Recurring("0 3 * * *", Every = "00:10:00")|}] public static void Both() { }
                [ScheduledHandler, Recurring({|#2:Every = "00:00:00.5"|})] public static void SubSecond() { }
                [ScheduledHandler, Recurring(Every = "01:00:00", {|#3:TimeZone = "Europe/Berlin"|})] public static void ZonedInterval() { }
                [ScheduledHandler, Recurring(Every = "01:00:00", {|#4:Id = "a@b"|})] public static void BadId() { }
                [ScheduledHandler, Recurring(Every = "01:00:00", {|#5:Misfire = (MisfirePolicy)7|})] public static void BadMisfire() { }
            }
            """,
            new Expected("ATS020", 0, "The [Recurring] schedule of 'App.Jobs.Neither' is invalid: give either a cron expression or Every, not both and not neither"),
            new Expected("ATS020", 1, "The [Recurring] schedule of 'App.Jobs.Both' is invalid: give either a cron expression or Every, not both and not neither"),
            new Expected("ATS020", 2, "The [Recurring] schedule of 'App.Jobs.SubSecond' is invalid: Every = \"00:00:00.5\" is not a whole number of seconds of at least 00:00:01 ([d.]hh:mm:ss)"),
            new Expected("ATS020", 3, "The [Recurring] schedule of 'App.Jobs.ZonedInterval' is invalid: TimeZone applies to cron expressions only; an interval is anchored at the Unix epoch (UTC)"),
            new Expected("ATS020", 4, "The [Recurring] schedule of 'App.Jobs.BadId' is invalid: the schedule id 'a@b' must be 1 to 236 characters with no whitespace, control characters, '{', '}', '*' or '@'"),
            new Expected("ATS020", 5, "The [Recurring] schedule of 'App.Jobs.BadMisfire' is invalid: Misfire is not a MisfirePolicy value"));
    }

    [Fact]
    public void ATS021_static_schedule_on_a_handler_with_a_payload()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler, {|#0:Recurring("0 3 * * *")|}] public static void Send(string audience) { }
            }
            """,
            new Expected("ATS021", 0, "'App.Jobs.Send' takes a payload of type 'string', but a [Recurring] schedule carries no payload; remove the payload parameter, or add the schedule at run time with AddOrUpdateRecurringSendAsync"));
    }

    [Fact]
    public void ATS022_recurring_without_scheduled_handler()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [{|#0:Recurring("0 3 * * *")|}] public static void Forgotten() { }
            }
            """,
            new Expected("ATS022", 0, "'App.Jobs.Forgotten' has [Recurring] but no [ScheduledHandler], so its schedule would never be registered; add [ScheduledHandler] to the method"));
    }
}
