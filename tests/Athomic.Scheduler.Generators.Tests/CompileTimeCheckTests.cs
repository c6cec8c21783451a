using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;
using static Athomic.Scheduler.Generators.Tests.Infrastructure.DiagnosticAssert;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Mistakes in calling code are the compiler's own errors: the handler name and payload type cannot drift.</summary>
public sealed class CompileTimeCheckTests
{
    private const string Handlers = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Athomic.Scheduler;
        using MessagePack;

        namespace App;

        [MessagePackObject]
        public sealed record TrialEnded([property: Key(0)] Guid UserId);

        public sealed class TrialHandlers
        {
            [ScheduledHandler("trial.end")]
            public Task EndTrial(TrialEnded payload, CancellationToken cancellationToken) => Task.CompletedTask;
        }

        """;

    [Fact]
    public void Wrong_payload_type_is_CS1503()
    {
        Verify(
            Handlers + """
            public static class Caller
            {
                public static Task<string> Call(IScheduler scheduler) => scheduler.ScheduleEndTrialAsync({|#0:42|}, TimeSpan.FromDays(14));
            }
            """,
            new Expected("CS1503", 0, "Argument 2: cannot convert from 'int' to 'App.TrialEnded'"));
    }

    [Fact]
    public void Misspelled_handler_is_CS1061_there_is_no_string_to_misspell()
    {
        Verify(
            Handlers + """
            public static class Caller
            {
                public static Task<string> Call(IScheduler scheduler, Guid user) =>
                    scheduler.{|#0:ScheduleEndTrailAsync|}(new TrialEnded(user), TimeSpan.FromDays(14));
            }
            """,
            new Expected("CS1061", 0, "'IScheduler' does not contain a definition for 'ScheduleEndTrailAsync' and no accessible extension method 'ScheduleEndTrailAsync' accepting a first argument of type 'IScheduler' could be found (are you missing a using directive or an assembly reference?)"));
    }

    [Fact]
    public void Correct_call_compiles()
    {
        Verify(
            Handlers + """
            public static class Caller
            {
                public static Task<string> Call(IScheduler scheduler, Guid user) =>
                    scheduler.ScheduleEndTrialAsync(new TrialEnded(user), TimeSpan.FromDays(14), taskId: $"trial:{user}");
            }
            """);
    }
}
