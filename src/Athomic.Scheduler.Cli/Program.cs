using System.CommandLine;
using System.CommandLine.Invocation;
using Athomic.Scheduler.Cli.Commands;

namespace Athomic.Scheduler.Cli;

/// <summary>The entry point of the <c>athomic</c> tool.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess(), handleCtrlC: true, CancellationToken.None);

    /// <summary>Runs the tool in this process, as the command line <paramref name="args"/> would, writing to the given writers.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="cancellationToken">Stops the command (as Ctrl+C does).</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, output, error, CliEnvironment.FromProcess() with { TerminalWidth = null, Interactive = false }, handleCtrlC: false, cancellationToken);

    /// <summary>Runs the tool with an explicit environment (variables, working directory, terminal).</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment environment, bool handleCtrlC, CancellationToken cancellationToken)
    {
        var parse = CliCommands.Create(environment).Parse(args);
        if (parse.Action is ParseErrorAction parseError)
        {
            // The errors and a pointer to the help, not the whole help.
            parseError.ShowHelp = false;
            parseError.ShowTypoCorrections = true;
        }

        var configuration = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = true,
            ProcessTerminationTimeout = handleCtrlC ? TimeSpan.FromSeconds(5) : null,
        };
        var code = await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        if (parse.Action is ParseErrorAction)
        {
            await error.WriteLineAsync($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return code;
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var command = parse.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(command.Command is RootCommand ? "athomic" : command.Command.Name);
        }

        return names;
    }
}
