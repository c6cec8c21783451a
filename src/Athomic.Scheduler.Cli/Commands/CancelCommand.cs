using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic cancel ID</c>: removes a pending task (or the version held back behind a running one).</summary>
internal static class CancelCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("The task id");
        var command = new Command("cancel", "Cancel a pending task (a running task is not interrupted)") { id };
        runner.Connect(command, async (context, session, ct) =>
        {
            var taskId = context.Get(id)!;
            var (code, result, message) = await session.Scheduler.CancelAsync(taskId, ct).ConfigureAwait(false)
                ? (ExitCodes.Ok, "cancelled", $"cancelled {taskId}")
                : await session.Scheduler.GetAsync(taskId, ct).ConfigureAwait(false) is { State: ScheduledTaskState.InFlight }
                    ? (ExitCodes.Refused, "running", $"'{taskId}' is running: it is not interrupted, and nothing was held back to cancel.")
                    : (ExitCodes.NotFound, "not-found", $"no pending task with id '{taskId}'.");
            return Actions.Report(context, new ActionJson { Action = "cancel", Id = taskId, Result = result }, code, message);
        });
        return command;
    }
}
