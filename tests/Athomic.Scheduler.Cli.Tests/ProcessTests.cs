using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary>The tool as a process: its build output with <c>dotnet</c>, and the packed tool installed with <c>dotnet tool install</c>.</summary>
[Collection(RedisCollection.Name)]
public sealed class ProcessTests(RedisFixture redis)
{
    [Fact]
    public async Task The_built_tool_reads_its_connection_from_the_environment_and_returns_its_exit_codes()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("process:1", TimeSpan.FromHours(1));
        var environment = new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.ConnectionString,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
        };

        var stats = await ToolProcess.RunBuiltAsync(environment, "stats", "--json");
        var missing = await ToolProcess.RunBuiltAsync(environment, "show", "process:404");
        var usage = await ToolProcess.RunBuiltAsync(environment, "list", "everything");
        var cancel = await ToolProcess.RunBuiltAsync(environment, "cancel", "process:1");

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Equal(1, JsonDocument.Parse(stats.Out).RootElement.GetProperty("total").GetProperty("pending").GetInt64());
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
        Assert.Equal(ExitCodes.Usage, usage.ExitCode);
        Assert.Contains("Run 'athomic list --help' for usage.", usage.Error);
        Assert.Equal(ExitCodes.Ok, cancel.ExitCode);
        Assert.Null(await schedule.Scheduler.GetAsync("process:1"));
    }

    [Fact]
    public async Task The_packed_tool_installs_with_dotnet_tool_install_and_prints_its_help_with_the_exit_codes()
    {
        var root = Path.Combine(Path.GetTempPath(), "athomic-tool-" + Guid.NewGuid().ToString("N"));
        var feed = Path.Combine(root, "feed");
        var tools = Path.Combine(root, "tools");
        try
        {
            var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ToolProcess.BuiltDll)!, "../../../Athomic.Scheduler.Cli.csproj"));
            var pack = await ToolProcess.RunAsync("dotnet", ["pack", project, "--no-build", "-c", ToolProcess.Configuration, "-o", feed, "-nologo"]);
            Assert.True(pack.ExitCode == 0, pack.ToString());
            var package = Assert.Single(Directory.GetFiles(feed, "Athomic.Scheduler.Cli.*.nupkg"), f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            var version = Path.GetFileNameWithoutExtension(package)["Athomic.Scheduler.Cli.".Length..];

            var install = await ToolProcess.RunAsync("dotnet", ["tool", "install", "Athomic.Scheduler.Cli", "--version", version, "--tool-path", tools, "--add-source", feed], workingDirectory: root);
            Assert.True(install.ExitCode == 0, install.ToString());

            var help = await ToolProcess.RunAsync(Path.Combine(tools, "athomic"), ["--help"]);
            var noRedis = await ToolProcess.RunAsync(Path.Combine(tools, "athomic"), ["stats"], workingDirectory: root);

            Assert.True(help.ExitCode == 0, help.ToString());
            Assert.Contains("Exit codes:", help.Out);
            Assert.Contains("watch", help.Out);
            Assert.Equal(ExitCodes.Usage, noRedis.ExitCode);
            Assert.Contains("No Redis connection string", noRedis.Error);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Help_fits_80_columns_and_lists_every_command_and_the_exit_codes()
    {
        // Through the public entry point with the process's own environment, as an embedding app would call it.
        var output = new StringWriter { NewLine = "\n" };
        var exit = await Program.RunAsync(["--help"], output, TextWriter.Null);
        var result = new CliResult(exit, output.ToString(), string.Empty);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.All(result.Lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        foreach (var command in new[] { "stats", "list", "show", "cancel", "run-now", "requeue", "purge-dead", "remove-recurring", "handlers", "pause", "resume", "watch" })
        {
            Assert.Contains(result.Lines, l => l.TrimStart().StartsWith(command + " ", StringComparison.Ordinal));
        }

        foreach (var code in new[] { "0", "1", "2", "3", "4" })
        {
            Assert.Contains(result.Lines, l => l.TrimStart().StartsWith(code + "  ", StringComparison.Ordinal));
        }
    }
}
