using System.CommandLine;
using Athomic.Scheduler.Cli.Output;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>What a command's action works with: its parse result, writers, environment and the options in force.</summary>
internal sealed class CommandContext(ParseResult parse, GlobalOptions options, CliEnvironment environment)
{
    public ParseResult Parse { get; } = parse;

    public CliEnvironment Environment { get; } = environment;

    public TextWriter Out => Parse.InvocationConfiguration.Output;

    public TextWriter Error => Parse.InvocationConfiguration.Error;

    public bool Json => Parse.GetValue(options.Json);

    public int Width => Environment.Width;

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => Parse.GetValue(argument);

    /// <summary>Connects to the schedule the options, the environment and appsettings.json name, with the password given apart, if any.</summary>
    public Task<SchedulerSession> OpenAsync()
    {
        var overrides = new ConnectionSettings.Overrides(
            Get(options.Redis), Get(options.KeyPrefix), Get(options.Partitions), Get(options.Settings), Get(options.PasswordFile), Get(options.PasswordStdin));
        var section = ConnectionSettings.Load(overrides, Environment);
        return SchedulerSession.OpenAsync(section, ConnectionSettings.LoadPassword(overrides, Environment));
    }

    /// <summary>Writes a table, or a note when it has no rows.</summary>
    public void WriteTable(Table table, string empty)
    {
        if (table.Count == 0)
        {
            Out.WriteLine(empty);
            return;
        }

        table.Write(Out, Width);
    }

    /// <summary>Writes a message to standard error, prefixed with the tool's name.</summary>
    public void Fail(string message) => Error.WriteLine("athomic: " + message);
}
