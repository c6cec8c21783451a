using System.CommandLine;
using Athomic.Scheduler.Cli.Output;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic requeue ID</c> or <c>athomic requeue --all</c>: dead letters back to pending as first attempts.</summary>
internal static class RequeueCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("The dead letter's task id");
        id.Arity = ArgumentArity.ZeroOrOne;
        var all = new Option<bool>("--all") { Description = "Requeue every dead letter" };
        var command = new Command("requeue", "Requeue a dead letter (or all of them): pending again as attempt 1, due now") { id, all };
        command.Validators.Add(result =>
        {
            var hasId = result.GetValue(id) is not null;
            if (hasId == result.GetValue(all))
            {
                result.AddError("Give either a task id or --all.");
            }
        });
        runner.Connect(command, async (context, session, ct) =>
        {
            if (context.Get(id) is { } taskId)
            {
                var (code, result, message) = await session.DeadLetters.RequeueAsync(taskId, TimeSpan.Zero, ct).ConfigureAwait(false) switch
                {
                    DeadLetterRequeueResult.Requeued => (ExitCodes.Ok, "requeued", $"requeued {taskId}"),
                    DeadLetterRequeueResult.AlreadyScheduled => (ExitCodes.Refused, "already-scheduled", $"a task with id '{taskId}' is already scheduled: the dead letter is kept."),
                    _ => (ExitCodes.NotFound, "not-found", $"no dead letter with id '{taskId}'."),
                };
                return Actions.Report(context, new ActionJson { Action = "requeue", Id = taskId, Result = result }, code, message);
            }

            var requeued = await session.Operations.RequeueAllDeadLettersAsync(ct).ConfigureAwait(false);
            return Actions.Report(
                context,
                new ActionJson { Action = "requeue", Result = requeued > 0 ? "requeued" : "none", Count = requeued },
                requeued > 0 ? ExitCodes.Ok : ExitCodes.NotFound,
                requeued > 0 ? $"requeued {Format.Count(requeued)} dead letters" : "no dead letters to requeue.");
        });
        return command;
    }
}
