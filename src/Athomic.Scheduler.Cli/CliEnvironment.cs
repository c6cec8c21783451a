namespace Athomic.Scheduler.Cli;

/// <summary>What the tool reads from its process besides the arguments: environment variables, the working directory and the terminal.</summary>
/// <param name="GetVariable">Reads an environment variable.</param>
/// <param name="CurrentDirectory">Where <c>appsettings.json</c> is looked for.</param>
/// <param name="TerminalWidth">The terminal's width; <see langword="null"/> when the output is not a terminal (tables then fit 80 columns).</param>
/// <param name="Interactive">Whether the output is a terminal: <c>watch</c> then redraws the screen instead of appending.</param>
internal sealed record CliEnvironment(Func<string, string?> GetVariable, string CurrentDirectory, int? TerminalWidth, bool Interactive)
{
    /// <summary>The width tables fit when the output is not a terminal.</summary>
    public const int DefaultWidth = 80;

    /// <summary>The width tables fit.</summary>
    public int Width => TerminalWidth is > 20 and var w ? w : DefaultWidth;

    /// <summary>
    /// Standard input when something is piped or redirected into it (<c>--password-stdin</c> reads it), or
    /// <see langword="null"/> when it is the terminal.
    /// </summary>
    public Func<TextReader?> PipedInput { get; init; } = static () => null;

    /// <summary>This process's environment and console.</summary>
    public static CliEnvironment FromProcess()
    {
        int? width = null;
        var interactive = !Console.IsOutputRedirected;
        if (interactive)
        {
            try
            {
                width = Console.WindowWidth;
            }
            catch (IOException)
            {
            }
        }

        return new CliEnvironment(Environment.GetEnvironmentVariable, Environment.CurrentDirectory, width, interactive)
        {
            PipedInput = static () => Console.IsInputRedirected ? Console.In : null,
        };
    }

    /// <summary>An environment for tests: the given variables only, no terminal, nothing piped into standard input.</summary>
    public static CliEnvironment For(string currentDirectory, IReadOnlyDictionary<string, string>? variables = null) =>
        new(name => variables is not null && variables.TryGetValue(name, out var v) ? v : null, currentDirectory, null, false);
}
