using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

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

            var (requeued, kept) = await RequeueAllAsync(session.DeadLetters, ct).ConfigureAwait(false);
            var allCode = requeued > 0 ? ExitCodes.Ok : kept > 0 ? ExitCodes.Refused : ExitCodes.NotFound;
            var text = requeued == 0 && kept == 0
                ? "no dead letters to requeue."
                : $"requeued {Format.Count(requeued)} dead letters" + (kept > 0 ? $"; kept {Format.Count(kept)} whose id is already scheduled" : string.Empty);
            return Actions.Report(
                context,
                new ActionJson { Action = "requeue", Result = allCode == ExitCodes.Ok ? "requeued" : allCode == ExitCodes.Refused ? "already-scheduled" : "none", Count = requeued, Kept = kept },
                allCode,
                text);
        });
        return command;
    }

    /// <summary>Requeues page after page from the newest; those refused stay at the front, so the next page starts after them.</summary>
    private static async Task<(long Requeued, long Kept)> RequeueAllAsync(IDeadLetterQueue dead, CancellationToken ct)
    {
        long requeued = 0;
        var kept = 0;
        while (true)
        {
            var page = await dead.ListAsync(kept, 1000, ct).ConfigureAwait(false);
            if (page.Items.Count == 0)
            {
                return (requeued, kept);
            }

            foreach (var letter in page.Items)
            {
                switch (await dead.RequeueAsync(letter.TaskId, TimeSpan.Zero, ct).ConfigureAwait(false))
                {
                    case DeadLetterRequeueResult.Requeued:
                        requeued++;
                        break;
                    case DeadLetterRequeueResult.AlreadyScheduled:
                        kept++;
                        break;
                }
            }
        }
    }
}
