using System.Diagnostics;
using System.Reflection;

namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>Runs a built <c>athomic</c> (the tool's build output with <c>dotnet</c>, or an installed tool) as a process.</summary>
public static class ToolProcess
{
    /// <summary>The tool's own build output (<c>src/Athomic.Scheduler.Cli/bin/…/athomic.dll</c>).</summary>
    public static string BuiltDll { get; } = typeof(ToolProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ToolPath").Value!;

    /// <summary>The configuration this test assembly was built in (the tool was built in the same).</summary>
    public static string Configuration { get; } =
        typeof(ToolProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static Task<CliResult> RunBuiltAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunAsync("dotnet", [BuiltDll, .. args], environment);

    /// <summary>Runs the built tool with <paramref name="standardInput"/> piped into it (then closed), as <c>echo … | athomic …</c> would.</summary>
    public static Task<CliResult> RunBuiltWithInputAsync(IReadOnlyDictionary<string, string> environment, string standardInput, params string[] args) =>
        RunAsync("dotnet", [BuiltDll, .. args], environment, standardInput: standardInput);

    /// <summary>
    /// Runs <paramref name="file"/> with a clean set of the tool's variables (and of StackExchange.Redis's TLS variables)
    /// and waits for it (at most two minutes). With <paramref name="standardInput"/>, that text is piped in and the pipe closed.
    /// </summary>
    public static async Task<CliResult> RunAsync(
        string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, string? standardInput = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "ATHOMIC_REDIS", "ATHOMIC_REDIS_PASSWORD", "ATHOMIC_KEY_PREFIX", "ATHOMIC_PARTITIONS", "SERedis_IssuerCertPath", "SERedis_ClientCertPfxPath" })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, (await stdout).Replace("\r\n", "\n"), await stderr);
    }
}
