namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>What one run of the tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {ExitCode}\n--- out\n{Out}--- err\n{Error}";
}

/// <summary>Runs the tool's entry point in this process, as a shell would with these arguments.</summary>
public static class Tool
{
    /// <summary>Runs with no environment variables and an empty working directory (no appsettings.json).</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(CliEnvironment.For(EmptyDirectory.Value), args);

    /// <summary>Runs against a schedule: adds <c>--redis</c> and <c>--key-prefix</c>.</summary>
    public static Task<CliResult> RunAsync(ScheduleUnderTest schedule, params string[] args) =>
        RunAsync([.. args, "--redis", schedule.ConnectionString, "--key-prefix", schedule.Prefix, "--partitions", schedule.Partitions.ToString()]);

    internal static async Task<CliResult> RunAsync(CliEnvironment environment, string[] args, CancellationToken cancellationToken = default)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Program.RunAsync(args, output, error, environment, handleCtrlC: false, cancellationToken);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    private static readonly Lazy<string> EmptyDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "athomic-cli-empty-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    });
}
