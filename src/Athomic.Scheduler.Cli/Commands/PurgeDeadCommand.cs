using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary><c>athomic purge-dead [ID]</c>: deletes dead letters for good.</summary>
internal static class PurgeDeadCommand
{
    public static Command Create(CommandRunner runner)
    {
        var id = Arguments.Id("Purge only this dead letter");
        id.Arity = ArgumentArity.ZeroOrOne;
        var command = new Command("purge-dead", "Delete every dead letter (or the one given) for good") { id };
        runner.Connect(command, async (context, session, ct) =>
        {
            if (context.Get(id) is { } taskId)
            {
                var purged = await session.DeadLetters.PurgeAsync(taskId, ct).ConfigureAwait(false);
                return Actions.Report(
                    context,
                    new ActionJson { Action = "purge-dead", Id = taskId, Result = purged ? "purged" : "not-found", Count = purged ? 1 : 0 },
                    purged ? ExitCodes.Ok : ExitCodes.NotFound,
                    purged ? $"purged {taskId}" : $"no dead letter with id '{taskId}'.");
            }

            var count = await session.DeadLetters.PurgeAllAsync(ct).ConfigureAwait(false);
            return Actions.Report(
                context,
                new ActionJson { Action = "purge-dead", Result = count > 0 ? "purged" : "none", Count = count },
                count > 0 ? ExitCodes.Ok : ExitCodes.NotFound,
                count > 0 ? $"purged {Format.Count(count)} dead letters" : "no dead letters to purge.");
        });
        return command;
    }
}
