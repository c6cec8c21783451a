using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic remove-recurring ID</c>: removes a recurring schedule and cancels its pending occurrence.</summary>
internal static class RemoveRecurringCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("The recurring schedule's id");
        var command = new Command("remove-recurring", "Remove a recurring schedule (its pending occurrence is cancelled)") { id };
        runner.Connect(command, async (context, session, ct) =>
        {
            var scheduleId = context.Get(id)!;
            var removed = await session.Scheduler.RemoveRecurringAsync(scheduleId, ct).ConfigureAwait(false);
            return Actions.Report(
                context,
                new ActionJson { Action = "remove-recurring", Id = scheduleId, Result = removed ? "removed" : "not-found" },
                removed ? ExitCodes.Ok : ExitCodes.NotFound,
                removed ? $"removed recurring schedule {scheduleId}" : $"no recurring schedule with id '{scheduleId}'.");
        });
        return command;
    }
}
