using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>
/// <c>athomic pause HANDLER</c> and <c>athomic resume HANDLER</c>: a handler's due tasks wait across the cluster (not
/// claimed, not dead-lettered; runs already started finish) until it is resumed, when they run at once. A name no
/// worker runs yet may be paused (a rolling deploy may not have it yet).
/// </summary>
internal static class PauseCommand
{
    public static Command Pause(CommandRunner runner) => Create(
        runner,
        "pause",
        "Pause a handler across the cluster: its due tasks wait until it is resumed; runs already started finish",
        "paused",
        (operations, handler, ct) => operations.PauseHandlerAsync(handler, ct),
        handler => $"paused handler {handler}: its due tasks wait until 'athomic resume {handler}'");

    public static Command Resume(CommandRunner runner) => Create(
        runner,
        "resume",
        "Resume a paused handler: its waiting due tasks run now",
        "resumed",
        (operations, handler, ct) => operations.ResumeHandlerAsync(handler, ct),
        handler => $"resumed handler {handler}: its waiting tasks run now");

    private static Command Create(
        CommandRunner runner,
        string name,
        string description,
        string result,
        Func<ISchedulerOperations, string, CancellationToken, Task> act,
        Func<string, string> message)
    {
        var handler = Arguments.Handler("The handler name (exact)");
        var command = new Command(name, description) { handler };
        runner.Connect(command, async (context, session, ct) =>
        {
            var value = context.Get(handler)!;
            await act(session.Operations, value, ct).ConfigureAwait(false);
            return Actions.Report(context, new ActionJson { Action = name, Id = value, Result = result }, ExitCodes.Ok, message(value));
        });
        return command;
    }
}
