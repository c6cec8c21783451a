using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>How actions report: the JSON result on standard output with <c>--json</c>; otherwise the message, on
/// standard output when it succeeded and on standard error when it did not.</summary>
internal static class Actions
{
    public static int Report(CommandContext context, ActionJson result, int code, string message)
    {
        if (context.Json)
        {
            CliJson.Write(context.Out, result);
            if (code != ExitCodes.Ok)
            {
                context.Fail(message);
            }
        }
        else if (code == ExitCodes.Ok)
        {
            context.Out.WriteLine(message);
        }
        else
        {
            context.Fail(message);
        }

        return code;
    }
}
