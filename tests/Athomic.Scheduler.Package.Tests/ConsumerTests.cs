using System.IO.Compression;
using Athomic.Scheduler.Testing;

namespace Athomic.Scheduler.Package.Tests;

/// <summary>The package as a new user meets it: restored by PackageReference only, built, run against Redis.</summary>
public sealed class ConsumerTests(PackageFixture package) : IClassFixture<PackageFixture>
{
    [Fact]
    public void Package_holds_the_runtime_for_both_frameworks_and_the_generator_as_an_analyzer()
    {
        var nupkg = Path.Combine(package.Feed, $"Athomic.Scheduler.{package.Version}.nupkg");
        using var zip = ZipFile.OpenRead(nupkg);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Contains("lib/net8.0/Athomic.Scheduler.dll", entries);
        Assert.Contains("lib/net10.0/Athomic.Scheduler.dll", entries);
        Assert.Contains("lib/net10.0/Athomic.Scheduler.xml", entries);
        Assert.Contains("analyzers/dotnet/cs/Athomic.Scheduler.Generators.dll", entries);
        Assert.Contains("PACKAGE.md", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generators", StringComparison.Ordinal));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
        Assert.Contains("<readme>PACKAGE.md</readme>", text);
        Assert.Contains("<repository type=\"git\"", text);
        Assert.DoesNotContain("Athomic.Scheduler.Generators\"", text);
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), "the symbols package is produced");
    }

    [Fact]
    public void Embedded_server_package_keeps_the_generator_of_its_dependency()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(package.Feed, $"Athomic.Scheduler.Garnet.{package.Version}.nupkg"));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();

        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Athomic.Scheduler.Garnet.dll");
        Assert.Contains($"<dependency id=\"Athomic.Scheduler\" version=\"{package.Version}\" include=\"All\" />", text);
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
    }

    [Fact]
    public void Dashboard_package_embeds_its_assets_and_takes_ASP_NET_Core_as_a_framework_reference()
    {
        using var zip = ZipFile.OpenRead(Path.Combine(package.Feed, $"Athomic.Scheduler.Dashboard.{package.Version}.nupkg"));
        using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        var text = nuspec.ReadToEnd();

        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Athomic.Scheduler.Dashboard.dll");
        Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Athomic.Scheduler.Dashboard.xml");
        Assert.Contains(zip.Entries, e => e.FullName == "PACKAGE.md");
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".css", StringComparison.Ordinal)); // embedded, not content files
        Assert.Contains($"<dependency id=\"Athomic.Scheduler\" version=\"{package.Version}\" include=\"All\" />", text);
        Assert.Contains("<frameworkReference name=\"Microsoft.AspNetCore.App\" />", text);
        Assert.Contains("<license type=\"expression\">MIT</license>", text);
    }

    [Fact]
    public async Task Consumer_restored_from_the_package_runs_its_generated_methods_against_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var dir = package.CreateConsumer("Good");

        var build = await PackageFixture.RunAsync(dir, "dotnet", "build", "-c", "Release", "--nologo");
        Assert.True(build.ExitCode == 0, "the consumer must build:\n" + build.Output);
        var run = await PackageFixture.RunAsync(dir, "dotnet", "run", "-c", "Release", "--no-build", "--", redis.ConnectionString);

        Assert.True(run.ExitCode == 0, "the consumer must run:\n" + run.Output);
        Assert.Matches(@"RAN [0-9a-f]{32} hello from the package 42", run.Output);
    }

    [Fact]
    public async Task Consumer_passing_the_wrong_payload_type_fails_its_build_with_the_compilers_error()
    {
        var dir = package.CreateConsumer("WrongPayload");

        var build = await PackageFixture.RunAsync(dir, "dotnet", "build", "-c", "Release", "--nologo");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error CS1503", build.Output);
        Assert.Contains("Greeting", build.Output);
    }
}
