using System.Globalization;
using Athomic.Scheduler.Generators.Model;

namespace Athomic.Scheduler.Generators;

/// <summary>The recurring parts of the generated code: <c>AddOrUpdateRecurring…Async</c> and static schedules.</summary>
internal static partial class Emitter
{
    private const string RecurringSchedule = "global::Athomic.Scheduler.RecurringSchedule";

    private static void RecurringMethod(SourceWriter writer, GenerationSpec spec, HandlerSpec handler)
    {
        var method = handler.Name == handler.MethodDisplay ? string.Empty : " (<c>" + Xml(handler.MethodDisplay) + "</c>)";
        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Adds or updates the recurring schedule <paramref name=\"scheduleId\"/> of the handler <c>" + Xml(handler.Name) + "</c>" + method + ":");
        writer.WriteLine("/// each occurrence runs once, as the task <c>{scheduleId}@{Unix ms}</c>; a change applies from the next occurrence.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <param name=\"scheduler\">The scheduler.</param>");
        writer.WriteLine("/// <param name=\"scheduleId\">The schedule id; remove it with <c>RemoveRecurringAsync</c>.</param>");
        if (handler.PayloadType is not null)
        {
            writer.WriteLine("/// <param name=\"payload\">The payload every occurrence receives.</param>");
        }

        writer.WriteLine("/// <param name=\"schedule\">When it runs: <c>RecurringSchedule.Cron(...)</c> or <c>RecurringSchedule.Every(...)</c>.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>Whether the schedule was created, updated or unchanged.</returns>");
        var access = handler.IsPublic ? "public" : "internal";
        var payload = handler.PayloadType is null ? string.Empty : handler.PayloadType + " payload, ";
        writer.WriteLine(
            access + " static global::System.Threading.Tasks.Task<global::Athomic.Scheduler.RecurringUpsertStatus> " + handler.RecurringMethodName +
            "(this " + Scheduler + " scheduler, string scheduleId, " + payload + RecurringSchedule + " schedule, " + CancellationToken + " cancellationToken = default) =>");
        writer.Indent();
        writer.WriteLine("NotNull(scheduler).AddOrUpdateRecurringAsync(scheduleId, " + TaskCall(spec, handler, "null") + ", schedule, cancellationToken);");
        writer.Unindent();
    }

    /// <summary>The descriptor's <c>Recurring = …</c> assignment, or <see langword="null"/> without a static schedule.</summary>
    private static string? RecurringAssignment(RecurringSpec? recurring)
    {
        if (recurring is null)
        {
            return null;
        }

        var schedule = recurring.Cron is { } cron
            ? RecurringSchedule + ".Cron(" + Literal(cron) + (recurring.TimeZone is { } zone ? ", " + Literal(zone) : string.Empty) + ")"
            : RecurringSchedule + ".Every(global::System.TimeSpan.FromSeconds(" + recurring.EverySeconds.ToString(CultureInfo.InvariantCulture) + "))";
        if (recurring.Misfire != "RunOnce")
        {
            schedule += " with { Misfire = global::Athomic.Scheduler.MisfirePolicy." + recurring.Misfire + " }";
        }

        return "Recurring = new global::Athomic.Scheduler.Execution.StaticRecurringSchedule(" + Literal(recurring.ScheduleId) + ", " + schedule + ")";
    }
}
