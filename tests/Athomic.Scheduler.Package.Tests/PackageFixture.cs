using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Athomic.Scheduler.Package.Tests;

/// <summary>Packs Athomic.Scheduler once, with a version no earlier run used, into a local feed.</summary>
public sealed class PackageFixture : IAsyncLifetime
{
    public static readonly string RepositoryRoot = typeof(PackageFixture).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public string Work { get; } = Path.Combine(Path.GetTempPath(), "athomic-package-" + Guid.NewGuid().ToString("N")[..8]);

    public string Feed => Path.Combine(Work, "feed");

    public string Version { get; } = "0.1.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Feed);
        foreach (var project in new[] { "Athomic.Scheduler", "Athomic.Scheduler.Garnet", "Athomic.Scheduler.Dashboard" })
        {
            var pack = await RunAsync(RepositoryRoot, "dotnet", "pack", Path.Combine("src", project, project + ".csproj"),
                "-c", "Release", "-o", Feed, $"-p:Version={Version}", "--nologo");
            Assert.True(pack.ExitCode == 0, $"dotnet pack of {project} failed:\n" + pack.Output);
        }
    }

    public Task DisposeAsync()
    {
        // The test versions restored into the global packages folder are of no use to anyone afterwards.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var dir in new[] { Work, Path.Combine(cache, "athomic.scheduler", Version.ToLowerInvariant()) })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
            catch (IOException)
            {
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Writes a consumer project that references the package only, outside the repository.</summary>
    public string CreateConsumer(string template)
    {
        var dir = Path.Combine(Work, template);
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumers", template, "Program.cs"), Path.Combine(dir, "Program.cs"));
        File.WriteAllText(Path.Combine(dir, "ConsumerApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <AssemblyName>ConsumerApp</AssemblyName>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Athomic.Scheduler" Version="{Version}" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="10.0.13" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        return dir;
    }

    public static Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, string file, params string[] args) =>
        RunAsync(workingDirectory, TimeSpan.FromMinutes(5), file, args);

    /// <summary>Runs a process to its end; past <paramref name="timeout"/> it is killed (with its children) and this throws.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Let the child builds run as if from a shell: not inside this test host's MSBuild node or environment.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within {timeout}:\n{output}");
            }
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
