using System.CommandLine;
using Athomic.Scheduler.Cli.Output;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic run-now ID</c>: a pending task becomes due now; a recurring schedule's id runs it once more now.</summary>
internal static class RunNowCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("A pending task's id, or a recurring schedule's id (runs one extra occurrence now)");
        var command = new Command("run-now", "Make a pending task due now, or trigger a recurring schedule once") { id };
        runner.Connect(command, async (context, session, ct) =>
        {
            var taskId = context.Get(id)!;
            switch (await session.Operations.RunNowAsync(taskId, ct).ConfigureAwait(false))
            {
                case RunNowStatus.Due:
                    return Actions.Report(context, new ActionJson { Action = "run-now", Id = taskId, Result = "due" }, ExitCodes.Ok, $"{taskId} is due now");
                case RunNowStatus.InFlight:
                    return Actions.Report(context, new ActionJson { Action = "run-now", Id = taskId, Result = "running" }, ExitCodes.Refused, $"'{taskId}' is already running (or about to).");
            }

            // Not a task: maybe a recurring schedule (their ids never contain '@').
            var triggered = taskId.Contains('@', StringComparison.Ordinal)
                ? null
                : await session.Operations.TriggerRecurringAsync(taskId, ct).ConfigureAwait(false);
            return triggered is null
                ? Actions.Report(context, new ActionJson { Action = "run-now", Id = taskId, Result = "not-found" }, ExitCodes.NotFound, $"no pending task or recurring schedule with id '{taskId}'.")
                : Actions.Report(context, new ActionJson { Action = "run-now", Id = taskId, Result = "triggered", TaskId = triggered }, ExitCodes.Ok, $"triggered recurring schedule {taskId} once: task {triggered}");
        });
        return command;
    }
}
